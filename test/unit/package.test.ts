/**
 * The extension package: what goes into the VSIX (allow-list .vscodeignore), the manifest (activation,
 * localisation keys, engines), the icon and the lazy loading of the analyzer core.
 * Needs the build (`node esbuild.js`); `npm test` runs it first.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<
  string,
  string
>;
const VSCE = path.join(ROOT, 'node_modules', '.bin', 'vsce');
const VSIX = path.join(ROOT, 'mail-oauth-migrator.vsix');
const MAX_VSIX_BYTES = 5 * 1024 * 1024;

/** Files that must never be in the package. */
const FORBIDDEN = [
  /^src\//,
  /^test\//,
  /(^|\/)node_modules\//,
  /^out\//,
  /^bench\//,
  /^examples\//,
  /^docs\//,
  /^\.ci\//,
  /\.map$/,
  /\.ts$/,
  /(^|\/)\.env/,
  /\.vsix$/,
];
const REQUIRED = [
  'package.json',
  'dist/extension.js',
  'dist/analyzer.js',
  'dist/analyzer-worker.js',
  'dist/cli-explain.js',
  'dist/cli-mcp.js',
  'dist/cli-inventory.js',
  'package.nls.json',
  'media/icon.png',
  'l10n/bundle.l10n.json',
];

function checkListing(files: string[], what: string): void {
  const leaked = files.filter((f) => FORBIDDEN.some((re) => re.test(f)));
  assert.deepEqual(leaked, [], `${what}: files that must not be packaged`);
  for (const f of REQUIRED) {
    assert.ok(files.includes(f), `${what}: ${f} is packaged (${files.join(', ')})`);
  }
  const walkthrough = (
    pkg.contributes.walkthroughs as { steps: { media: { markdown?: string } }[] }[]
  ).flatMap((w) => w.steps.map((s) => s.media.markdown));
  for (const md of walkthrough) {
    assert.ok(md && files.includes(md), `${what}: walkthrough media ${md}`);
  }
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      walk(p, out);
    } else {
      out.push(p);
    }
  }
  return out;
}

describe('extension package', () => {
  it('vsce ls: the .vscodeignore allow-list packages dist, l10n, media and docs only', function () {
    this.timeout(120000);
    assert.ok(
      fs.existsSync(path.join(ROOT, 'dist', 'extension.js')),
      'dist/extension.js missing: run `node esbuild.js` first',
    );
    const out = execFileSync(VSCE, ['ls', '--no-dependencies'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const files = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    checkListing(files, 'vsce ls');
  });

  it('npm run package builds a VSIX that is small and clean', function () {
    this.timeout(240_000);
    // Build it the way a release does (production bundle), then put the dev build back for the
    // suites that run after this one.
    execFileSync('npm', ['run', '-s', 'package'], { cwd: ROOT, stdio: 'ignore' });
    execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'ignore' });
    assert.ok(fs.existsSync(VSIX), 'npm run package wrote the VSIX');
    const size = fs.statSync(VSIX).size;
    assert.ok(size <= MAX_VSIX_BYTES, `VSIX is ${(size / 1024 / 1024).toFixed(2)} MB (max 5 MB)`);
    const listing = execFileSync('unzip', ['-Z1', VSIX], { encoding: 'utf8' });
    const files = listing
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('extension/'))
      .map((l) => l.slice('extension/'.length));
    // vsce renames README.md / CHANGELOG.md to lower case inside the package
    checkListing(files, 'VSIX');
  });

  it('dist/extension.js does not bundle the analyzer core (loaded lazily from dist/analyzer.js)', () => {
    const ext = fs.readFileSync(path.join(ROOT, 'dist', 'extension.js'), 'utf8');
    assert.ok(ext.length < 300 * 1024, `dist/extension.js is ${ext.length} bytes`);
    assert.match(ext, /require\(["']\.\/analyzer["']\)/, 'runtime require of ./analyzer');
    for (const marker of ['ts-morph', 'createSourceFile', 'nodemailer-services', 'class Analyzer']) {
      assert.ok(!ext.includes(marker), `dist/extension.js contains "${marker}"`);
    }
    const meta = path.join(ROOT, 'dist', 'meta.json');
    if (fs.existsSync(meta)) {
      const outputs = (
        JSON.parse(fs.readFileSync(meta, 'utf8')) as {
          outputs: Record<string, { inputs: Record<string, unknown> }>;
        }
      ).outputs;
      const inputs = Object.keys(outputs['dist/extension.js']?.inputs ?? {});
      assert.deepEqual(
        inputs.filter(
          (i) =>
            i.startsWith('src/core/') ||
            i.includes('node_modules/ts-morph') ||
            i.includes('node_modules/@ts-morph'),
        ),
        [],
      );
    }
    // the analyzer worker (dist/analyzer-worker.js) is small too: it loads dist/analyzer.js at run time
    const worker = fs.readFileSync(path.join(ROOT, 'dist', 'analyzer-worker.js'), 'utf8');
    assert.ok(worker.length < 100 * 1024, `dist/analyzer-worker.js is ${worker.length} bytes`);
    assert.ok(worker.includes('analyzer.js') || /require\(["']\.\/analyzer["']\)/.test(worker));
    for (const marker of ['ts-morph', 'createSourceFile', 'class Analyzer']) {
      assert.ok(!worker.includes(marker), `dist/analyzer-worker.js contains "${marker}"`);
    }
    // and dist/analyzer.js is a working core (not a module that requires itself)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const core = require(path.join(ROOT, 'dist', 'analyzer.js')) as { Analyzer?: unknown };
    assert.equal(typeof core.Analyzer, 'function');
  });

  it('activation events: languages, commands and the view only (never *)', () => {
    const events = pkg.activationEvents as string[];
    assert.ok(!events.includes('*'));
    for (const l of ['javascript', 'typescript', 'javascriptreact', 'typescriptreact']) {
      assert.ok(events.includes(`onLanguage:${l}`), l);
    }
    for (const e of events) {
      assert.match(
        e,
        /^(onLanguage:(javascript|typescript)(react)?|onCommand:mailOAuth\.\w+|onView:mailOAuth\.\w+)$/,
      );
    }
    assert.ok(!events.includes('onStartupFinished'));
  });

  it('capabilities, engines and icon', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.capabilities.virtualWorkspaces, false);
    const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.vscode as string);
    assert.ok(m, pkg.engines.vscode);
    assert.equal(Number(m[1]), 1);
    assert.ok(Number(m[2]) <= 139, 'the test host is VS Code 1.139');
    const types = (pkg.devDependencies['@types/vscode'] as string).replace(/^[\^~]/, '');
    assert.ok(
      Number(types.split('.')[1]) <= Number(m[2]),
      '@types/vscode must not be newer than engines.vscode',
    );
    const png = fs.readFileSync(path.join(ROOT, pkg.icon as string));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 128, 'width');
    assert.equal(png.readUInt32BE(20), 128, 'height');
  });

  it('every %key% of package.json is in package.nls.json, and every key is used', () => {
    const text = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
    const used = new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((x) => x[1]));
    // keys referenced from inside markdown strings too
    const missing = [...used].filter((k) => !(k in nls));
    assert.deepEqual(missing, []);
    const unused = Object.keys(nls).filter((k) => !used.has(k));
    assert.deepEqual(unused, []);
    for (const c of pkg.contributes.commands as { command: string; title: string }[]) {
      assert.match(c.title, /^%command\.\w+%$/, c.command);
    }
    for (const [k, v] of Object.entries(
      pkg.contributes.configuration.properties as Record<string, { scope?: string }>,
    )) {
      assert.equal(v.scope, 'resource', k);
    }
  });

  it('every vscode.l10n.t() string of the extension is in l10n/bundle.l10n.json', () => {
    const bundle = JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<
      string,
      string
    >;
    const files = [path.join(ROOT, 'src', 'extension.ts'), ...walk(path.join(ROOT, 'src', 'vscode'))];
    const strings = new Set<string>();
    for (const f of files) {
      const t = fs.readFileSync(f, 'utf8');
      assert.ok(
        !/l10n\.t\(\s*[`"]/.test(t),
        `${path.relative(ROOT, f)}: use single-quoted literals in l10n.t()`,
      );
      for (const m of t.matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) {
        strings.add(m[1].replace(/\\'/g, "'"));
      }
    }
    assert.ok(strings.size > 20);
    assert.deepEqual(
      [...strings].filter((s) => !(s in bundle)),
      [],
      'regenerate l10n/bundle.l10n.json',
    );
  });

  it('walkthrough media exist and state the retirement dates', () => {
    const md = (pkg.contributes.walkthroughs as { steps: { media: { markdown: string } }[] }[])[0].steps.map(
      (s) => fs.readFileSync(path.join(ROOT, s.media.markdown), 'utf8'),
    );
    const all = md.join('\n');
    for (const fact of [
      'Oct–Dec 2022',
      '16 September 2024',
      'end of December 2026',
      'SMTP.SendAsApp',
      'IMAP.AccessAsApp',
      'POP.AccessAsApp',
      'New-ServicePrincipal',
      'admin consent',
    ]) {
      assert.ok(all.includes(fact), fact);
    }
  });
});
