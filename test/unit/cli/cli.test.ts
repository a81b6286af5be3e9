/**
 * The CLI contract: exit codes, the JSON report (version 1), SARIF 2.1.0 shape, --output, and the
 * guards for bad input (binary, non-UTF-8, minified, large files, symlink loops, ignored folders).
 * Runs the bundled dist/cli.js as users do (npm test builds it first).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');
const FIXTURE = path.join(REPO, 'test/fixtures/workspace');

/**
 * The fixture workspace plus the folders git cannot carry (node_modules, dist and a gitignored
 * folder are ignored by the repository itself), each holding a config that must NOT be reported.
 */
function prepareWorkspace(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-ws-')));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const bad = "require('nodemailer').createTransport({ host: 'smtp.office365.com', auth: { user: 'a', pass: 'b' } });\n";
  for (const sub of ['node_modules/pkg/index.js', 'dist/bundle.js', 'ignored-by-git/x.js']) {
    fs.mkdirSync(path.dirname(path.join(dir, sub)), { recursive: true });
    fs.writeFileSync(path.join(dir, sub), bad);
  }
  return dir;
}
const WORKSPACE = prepareWorkspace();

function cli(args: string[], cwd = REPO): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmpCopy(): string {
  return prepareWorkspace();
}

describe('CLI scan', function () {
  before(function () {
    if (!fs.existsSync(CLI)) {
      throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
    }
  });

  it('exits 1 with findings and prints the JSON contract', () => {
    const r = cli(['scan', WORKSPACE, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.version, 1);
    assert.equal(report.root, WORKSPACE);
    assert.deepEqual(Object.keys(report).sort(), ['findings', 'root', 'skipped', 'stats', 'version']);
    assert.deepEqual(Object.keys(report.stats).sort(), ['durationMs', 'files', 'parsed']);
    const files = report.findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`);
    assert.deepEqual(files, ['src/broken.js:3', 'src/read.mjs:4', 'src/send.ts:4']);
    for (const f of report.findings) {
      // `mailbox` (added by the inventory, issue 13) is present only when the login user is known
      assert.deepEqual(Object.keys(f).filter((k) => k !== 'mailbox').sort(), [
        'code', 'column', 'endColumn', 'endLine', 'file', 'fixable', 'host', 'library', 'line', 'message', 'protocol', 'related', 'severity',
      ]);
      assert.ok(f.mailbox === undefined || typeof f.mailbox === 'string');
      assert.ok(f.line >= 1 && f.column >= 1 && f.endLine >= f.line);
      assert.doesNotMatch(f.file, /\\/);
      for (const rel of f.related) {
        assert.deepEqual(Object.keys(rel).sort(), ['file', 'line', 'message']);
      }
    }
    const send = report.findings.find((f: { file: string }) => f.file === 'src/send.ts');
    assert.equal(send.host, 'smtp.office365.com');
    assert.equal(send.protocol, 'smtp');
    assert.ok(send.related.some((x: { file: string; line: number }) => x.file === '.env' && x.line === 1), 'host from .env line 1');
    assert.ok(send.related.some((x: { file: string }) => x.file === 'src/config/hosts.ts'));
    const read = report.findings.find((f: { file: string }) => f.file === 'src/read.mjs');
    assert.ok(read.related.some((x: { file: string; line: number }) => x.file === 'src/settings.json' && x.line === 3));
    // the password value in .env is never printed
    assert.doesNotMatch(r.stdout, /do-not-print-me/);
  });

  it('lists what it skipped and why, and never descends into node_modules or gitignored folders', () => {
    const report = JSON.parse(cli(['scan', WORKSPACE, '--format', 'json']).stdout);
    const skipped = Object.fromEntries(report.skipped.map((s: { file: string; reason: string }) => [s.file, s.reason]));
    assert.equal(skipped['src/binary.js'], 'binary file');
    assert.equal(skipped['src/latin1.js'], 'not valid UTF-8');
    assert.equal(skipped['vendor/lib.min.js'], 'minified');
    assert.equal(skipped['vendor/bundle.js'], 'minified');
    assert.equal(skipped['dist'], 'build output');
    assert.ok(!report.findings.some((f: { file: string }) => /node_modules|ignored-by-git|dist\//.test(f.file)));
  });

  it('exits 0 without findings', () => {
    const r = cli(['scan', path.join(WORKSPACE, 'src/fine.ts'), '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).findings.length, 0);
  });

  it('exits 2 on usage errors with a clear message', () => {
    const bad = cli(['scan', WORKSPACE, '--format', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be text, json or sarif/);
    assert.equal(cli(['scan', '/no/such/path']).code, 2);
    assert.match(cli(['scan', '/no/such/path']).stderr, /no such file or folder/);
    assert.equal(cli(['frobnicate']).code, 2);
    assert.equal(cli(['scan', '--bogus-flag']).code, 2);
    assert.equal(cli(['scan', WORKSPACE, '--max-file-size', 'lots']).code, 2);
  });

  it('writes SARIF 2.1.0 that code scanning accepts', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-sarif-')), 'r.sarif');
    const r = cli(['scan', WORKSPACE, '--format', 'sarif', '--output', out]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const log = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'mail-oauth-migrate');
    const ruleIds = run.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const rule of run.tool.driver.rules) {
      assert.ok(rule.helpUri.startsWith('https://'));
      assert.ok(rule.help.text.length > 40);
      assert.ok(rule.shortDescription.text);
    }
    assert.equal(run.results.length, 3);
    for (const res of run.results) {
      assert.ok(ruleIds.includes(res.ruleId));
      assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.ok(res.message.text);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok(!loc.artifactLocation.uri.startsWith('/'));
      assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
      for (const rel of res.relatedLocations) {
        assert.ok(Number.isInteger(rel.id));
        assert.ok(rel.message.text);
        assert.ok(rel.physicalLocation.region.startLine >= 1);
      }
    }
  });

  it('prints readable text with the findings and a summary', () => {
    const r = cli(['scan', WORKSPACE]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /src\/send\.ts:4:\d+ {2}warning {2}SMTP AUTH password login to smtp\.office365\.com/);
    assert.match(r.stdout, /3 finding\(s\) \(1 error, 2 warnings\)/);
  });

  it('skips files over --max-file-size and survives symlink loops', () => {
    const dir = tmpCopy();
    fs.writeFileSync(path.join(dir, 'src/huge.js'), `require('nodemailer');\n${'// padding\n'.repeat(120_000)}`);
    fs.symlinkSync(dir, path.join(dir, 'src/loop'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'src/dangling.js'));
    const report = JSON.parse(cli(['scan', dir, '--format', 'json']).stdout);
    const skipped = Object.fromEntries(report.skipped.map((s: { file: string; reason: string }) => [s.file, s.reason]));
    assert.match(skipped['src/huge.js'], /larger than 1 MB/);
    assert.equal(skipped['src/loop'], 'symlink loop');
    assert.match(skipped['src/dangling.js'], /broken symlink/);
    assert.equal(report.findings.length, 3);
    const small = JSON.parse(cli(['scan', dir, '--format', 'json', '--max-file-size', '200b']).stdout);
    assert.ok(small.skipped.some((s: { reason: string }) => /larger than/.test(s.reason)));
  });

  it('honours --extra-host and --exclude', () => {
    const dir = tmpCopy();
    fs.writeFileSync(path.join(dir, 'src/corp.js'), "require('nodemailer').createTransport({ host: 'mail.corp.example', auth: { user: 'a', pass: 'b' } });\n");
    const without = JSON.parse(cli(['scan', dir, '--format', 'json']).stdout);
    assert.ok(!without.findings.some((f: { file: string }) => f.file === 'src/corp.js'));
    const withHost = JSON.parse(cli(['scan', dir, '--format', 'json', '--extra-host', 'mail.corp.example']).stdout);
    assert.ok(withHost.findings.some((f: { file: string }) => f.file === 'src/corp.js'));
    const excluded = JSON.parse(cli(['scan', dir, '--format', 'json', '--exclude', 'src/send.ts']).stdout);
    assert.ok(!excluded.findings.some((f: { file: string }) => f.file === 'src/send.ts'));
  });

  it('reports the same with a second analysis thread, without the fix planner\'s hints in the scan', () => {
    // MAIL_OAUTH_SCAN_THREADS=2 starts the second worker with the first candidate (by default it joins
    // once the first falls behind, on thousands of candidates); candidates are shared between the two.
    const run = (threads: string) => {
      const r = spawnSync(process.execPath, [CLI, 'scan', WORKSPACE, '--format', 'json'], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, MAIL_OAUTH_SCAN_THREADS: threads, MAIL_OAUTH_TIMING: '1' },
      });
      assert.equal(r.status, 1, r.stderr);
      const workers = /timing analysis workers (\d+)/.exec(r.stderr)?.[1];
      const report = JSON.parse(r.stdout);
      delete report.stats.durationMs;
      return { workers, report };
    };
    const one = run('1');
    const two = run('2');
    assert.equal(one.workers, '1');
    assert.equal(two.workers, '2');
    assert.deepEqual(two.report, one.report);
    assert.equal(one.report.findings.length, 3);
  });

  it('scans again with a larger heap when the analysis worker runs out of memory', () => {
    const run = (heapMb?: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.MAIL_OAUTH_SCAN_HEAP_MB;
      if (heapMb) {
        env.MAIL_OAUTH_SCAN_HEAP_MB = heapMb;
      }
      const r = spawnSync(process.execPath, [CLI, 'scan', WORKSPACE, '--format', 'json'], {
        cwd: REPO,
        encoding: 'utf8',
        env,
      });
      assert.equal(r.status, 1, r.stderr);
      const report = JSON.parse(r.stdout);
      delete report.stats.durationMs;
      return { report, stderr: r.stderr };
    };
    const normal = run();
    assert.doesNotMatch(normal.stderr, /ran out/);
    // 8 MB does not even hold the compiler: the first worker dies, the second run has 512 MB
    const starved = run('8');
    assert.match(starved.stderr, /ran out of its 8 MB heap; scanning again with 512 MB/);
    assert.deepEqual(starved.report, normal.report);
    assert.equal(normal.report.findings.length, 3);
  });

  it('scans the bundled sample app (npm start)', () => {
    const r = cli(['scan', 'examples/sample-app', '--format', 'json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    const libs = new Set(report.findings.map((f: { library: string }) => f.library));
    for (const lib of ['nodemailer', 'emailjs', 'imapflow', 'imap', 'imap-simple', 'mail-listener', 'node-pop3', 'yapople']) {
      assert.ok(libs.has(lib), `sample app finding for ${lib}`);
    }
    assert.ok(!report.findings.some((f: { file: string }) => /gmail|oauth-ok|index\.js/.test(f.file)));
    assert.doesNotMatch(r.stdout, /Winter2026!|S3cret-imap/);
  });
});

describe('CLI fix', function () {
  function sampleCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-fix-'));
    fs.cpSync(path.join(REPO, 'examples/sample-app'), dir, { recursive: true });
    return dir;
  }
  function snapshot(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          walk(p);
        } else {
          out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
        }
      }
    };
    walk(dir);
    return out;
  }

  it('--dry-run --diff prints a unified diff and writes nothing', () => {
    const dir = sampleCopy();
    const before = snapshot(dir);
    const r = cli(['fix', dir, '--dry-run', '--diff']);
    assert.equal(r.code, 1, r.stderr); // manual work is left (yapople)
    assert.match(r.stdout, /^--- a\/src\/mail\/alerts\.ts$/m);
    assert.match(r.stdout, /^\+  auth: \{ user: 'alerts@acme\.example', type: 'OAuth2', provisionCallback: nodemailerProvisionCallback \},$/m);
    assert.match(r.stdout, /^\+\+\+ b\/src\/mail-oauth-token\.ts$/m);
    assert.match(r.stderr, /Dry run: 10 of 11 finding\(s\) can be fixed/);
    assert.match(r.stderr, /yapople/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('fixes, reports manual steps, and is idempotent', () => {
    const dir = sampleCopy();
    const r = cli(['fix', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Fixed 10 of 11 finding\(s\)/);
    assert.match(r.stderr, /New-ServicePrincipal/);
    assert.match(r.stderr, /No longer used by the fixed code.*SMTP_PASS/);
    assert.doesNotMatch(r.stderr + r.stdout, /Winter2026!|S3cret-imap/);
    const after = snapshot(dir);
    assert.match(after.get('src/mail/alerts.ts')!, /type: 'OAuth2'/);
    assert.match(after.get('package.json')!, /"@azure\/msal-node": "\^7\.2\.1"/);
    assert.ok(after.has('.env.example'));
    assert.equal(after.get('.env'), fs.readFileSync(path.join(REPO, 'examples/sample-app/.env'), 'utf8'), '.env is never touched');
    // second run: nothing more to change
    const again = cli(['fix', dir]);
    assert.match(again.stderr, /Left for manual work/);
    assert.deepEqual(snapshot(dir), after);
    const scan = JSON.parse(cli(['scan', dir, '--format', 'json']).stdout);
    assert.equal(scan.findings.length, 1);
    assert.ok(scan.findings.every((f: { fixable: boolean }) => !f.fixable));
  });
});
