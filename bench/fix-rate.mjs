#!/usr/bin/env node
// Fix rate on the held-out corpus (issue 11): how many flagged logins `fix` rewrites automatically, and
// whether the rewrite keeps the code valid.
//
// For each workspace under test/fixtures/heldout/ (a folder with an expected.json):
//   1. copies it to a temp dir (TypeScript workspaces get the real typings of heldout-install.json, installed
//      once into .test-tmp/heldout-packages/<key> and linked as node_modules next to their tsconfig.json);
//   2. checks the corpus itself: `tsc --noEmit` (TS) or `node --check` (JS) must pass before the fix;
//   3. runs the built CLI: `scan --format json` (flagged vs expected: misses, false positives), then `fix`
//      (fixed automatically, left for manual work with the reason, refused);
//   4. parses every changed or created file (node --check for JS, the TypeScript parser for TS, JSON.parse for
//      JSON), runs `tsc --noEmit` again on TS workspaces, and `node --check` on every JS file; checks that no
//      CommonJS file uses the provider's functions above the line that requires them;
//   5. runs `fix` a second time and checks that it changes nothing (idempotence).
// Prints a line per workspace and the totals; --json FILE also writes them as JSON.
//
// Exit code: 0 when the corpus ran and nothing broke (no syntax or type error introduced by the fix, every
// second fix a no-op); 1 when a fix broke a workspace or was not idempotent; 2 when it could not run.
// The fix rate itself is a figure, not a pass/fail condition.
//
// Usage: node bench/fix-rate.mjs [--json FILE] [--keep] [--verbose] [--cli PATH] [name-filter...]

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'test', 'fixtures', 'heldout');
const INSTALL_FILE = path.join(CORPUS, 'heldout-install.json');
const require = createRequire(import.meta.url);
const ts = require('typescript');
const TSC = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
if (flag('--help')) {
  process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
  process.exit(0);
}
const jsonOut = opt('--json');
const CLI = path.resolve(opt('--cli') ?? path.join(ROOT, 'dist', 'cli.js'));
const keep = flag('--keep');
const verbose = flag('--verbose');
const filters = args;

if (!fs.existsSync(CLI)) {
  console.error(`${path.relative(ROOT, CLI)} is missing: run \`npm run build\` first (npm run bench:fix-rate does).`);
  process.exit(2);
}

const CODE = /\.(?:c|m)?[jt]sx?$/;
const JS = /\.(?:c|m)?jsx?$/;
const SKIP_DIRS = new Set(['node_modules', '.git']);

/** Every file under dir (relative path → content), node_modules excluded. */
function snapshot(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (SKIP_DIRS.has(e.name)) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(path.relative(dir, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function changedFiles(before, after) {
  const changed = [];
  for (const [f, text] of after) if (before.get(f) !== text) changed.push(f);
  for (const f of before.keys()) if (!after.has(f)) changed.push(`${f} (deleted)`);
  return changed;
}

function run(cmd, argv, cwd) {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** node_modules with the corpus's typings, installed once per package list (npm registry) and reused. */
function typings() {
  const spec = JSON.parse(fs.readFileSync(INSTALL_FILE, 'utf8'));
  const key = createHash('sha256').update(spec.packages.join(' ')).digest('hex').slice(0, 12);
  const root = path.join(ROOT, '.test-tmp', 'heldout-packages', key);
  if (!fs.existsSync(path.join(root, '.installed'))) {
    console.error(`installing the corpus's typings into ${path.relative(ROOT, root)} (once) …`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), '{ "name": "heldout-packages", "private": true }\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = run(npm, ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', ...spec.packages], root);
    if (r.status !== 0) {
      console.error(`npm install failed:\n${r.stderr}`);
      process.exit(2);
    }
    fs.writeFileSync(path.join(root, '.installed'), spec.packages.join('\n') + '\n');
  }
  return path.join(root, 'node_modules');
}

/** Syntax errors of one file (empty when it parses). */
function syntaxErrors(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
      return [];
    } catch (e) {
      return [String(e.message)];
    }
  }
  if (JS.test(file)) {
    const r = run(process.execPath, ['--check', file], path.dirname(file));
    return r.status === 0 ? [] : [r.stderr.trim().split('\n').slice(0, 5).join(' | ')];
  }
  if (CODE.test(file)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    return sf.parseDiagnostics.map((d) => {
      const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${path.basename(file)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  }
  return [];
}

/**
 * Names a CommonJS file requires from the generated provider but uses at the top level above that require (a
 * ReferenceError when the module loads, which node --check cannot see).
 */
function usedBeforeRequire(file) {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const idx = sf.statements.findIndex((st) => ts.isVariableStatement(st) && /require\((['"])[^'"]*mail-oauth-token[^'"]*\1\)/.test(st.getText(sf)));
  if (idx < 0) return [];
  const names = new Set();
  for (const d of sf.statements[idx].declarationList.declarations) {
    if (ts.isObjectBindingPattern(d.name)) d.name.elements.forEach((e) => names.add(e.name.getText(sf)));
    else names.add(d.name.getText(sf));
  }
  const found = [];
  const visit = (n) => {
    if (ts.isFunctionLike(n)) return; // runs later
    if (ts.isIdentifier(n) && names.has(n.text)) found.push(`${n.text} (line ${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1})`);
    ts.forEachChild(n, visit);
  };
  sf.statements.slice(0, idx).forEach(visit);
  return found;
}

function tsc(tsconfig) {
  const r = run(process.execPath, [TSC, '--noEmit', '-p', tsconfig], path.dirname(tsconfig));
  return r.status === 0 ? null : (r.stdout + r.stderr).trim().split('\n').slice(0, 8).join('\n      ');
}

function nodeCheckAll(dir, files) {
  const errors = [];
  for (const f of files.filter((x) => JS.test(x) && !x.endsWith('.jsx'))) {
    const e = syntaxErrors(path.join(dir, f));
    if (e.length) errors.push(`${f}: ${e[0]}`);
  }
  return errors;
}

/** The fix command's report: fixed count, manual items, refusal. */
function parseFix(stderr) {
  const m = /Fixed (\d+) of (\d+) finding/.exec(stderr);
  const manual = [];
  const lines = stderr.split('\n');
  const start = lines.indexOf('Left for manual work:');
  if (start >= 0) {
    for (const l of lines.slice(start + 1)) {
      const mm = /^ {2}(.+?):(\d+) \(([^)]+)\): (.*)$/.exec(l);
      if (!mm) break;
      manual.push({ file: mm[1], line: Number(mm[2]), library: mm[3], reason: mm[4] });
    }
  }
  return { fixed: m ? Number(m[1]) : 0, refused: /^Refused:/m.test(stderr), manual };
}

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'fix-rate-'));
const workspaces = fs
  .readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(CORPUS, e.name, 'expected.json')))
  .map((e) => e.name)
  .filter((n) => !filters.length || filters.some((f) => n.includes(f)))
  .sort();
let nodeModules;

const results = [];
for (const name of workspaces) {
  const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8'));
  const dir = path.join(TMP, name);
  fs.cpSync(path.join(CORPUS, name), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'expected.json'));
  const tsconfigRel = expected.tsconfig ?? (fs.existsSync(path.join(dir, 'tsconfig.json')) ? 'tsconfig.json' : undefined);
  const tsconfig = tsconfigRel && path.join(dir, tsconfigRel);
  if (tsconfig) {
    nodeModules ??= typings();
    fs.symlinkSync(nodeModules, path.join(path.dirname(tsconfig), 'node_modules'), 'dir');
  }
  const r = { name, ts: Boolean(tsconfig), source: expected.source, problems: [] };
  const before = snapshot(dir);

  // the corpus itself must be valid before the fix, or a later error says nothing about the fix
  r.tscBefore = tsconfig ? tsc(tsconfig) : null;
  r.jsBefore = nodeCheckAll(dir, [...before.keys()]);
  if (r.tscBefore) r.problems.push(`corpus does not type-check before the fix:\n      ${r.tscBefore}`);
  if (r.jsBefore.length) r.problems.push(`corpus has JS syntax errors before the fix: ${r.jsBefore.join('; ')}`);

  // flagged vs expected
  const scan = run(process.execPath, [CLI, 'scan', '.', '--format', 'json', '--no-progress'], dir);
  let findings = [];
  try {
    findings = JSON.parse(scan.stdout).findings;
  } catch {
    r.problems.push(`scan failed (exit ${scan.status}): ${scan.stderr.trim().slice(0, 300)}`);
  }
  const want = expected.findings.map((f) => ({ ...f, accept: [f.file, ...(expected.alsoAccept ?? [])] }));
  const unmatched = [...want];
  r.findings = findings.map((f) => {
    const i = unmatched.findIndex((w) => w.accept.includes(f.file));
    const real = i >= 0;
    if (real) unmatched.splice(i, 1);
    return { file: f.file, line: f.line, library: f.library, code: f.code, host: f.host, fixable: f.fixable, real };
  });
  r.expected = want.length;
  r.misses = unmatched.map((w) => `${w.file} (${w.library})`);
  r.falsePositives = r.findings.filter((f) => !f.real).map((f) => `${f.file}:${f.line} (${f.library}, ${f.host})`);
  r.manualAllowed = expected.manualAllowed;

  // fix
  const fix1 = run(process.execPath, [CLI, 'fix', '.', '--no-progress'], dir);
  const parsed = parseFix(fix1.stderr);
  r.fixExit = fix1.status;
  r.refused = parsed.refused;
  r.manual = parsed.manual;
  r.fixed = parsed.refused ? 0 : parsed.fixed;
  if (fix1.status === 2 && !parsed.refused) r.problems.push(`fix failed (exit 2): ${fix1.stderr.trim().split('\n').slice(0, 4).join(' | ')}`);
  if (parsed.refused) r.problems.push(`fix refused: ${fix1.stderr.trim().split('\n').slice(0, 4).join(' | ')}`);
  const after = snapshot(dir);
  r.changed = changedFiles(before, after);

  // validity of what changed
  r.syntaxErrors = [];
  for (const f of r.changed.filter((c) => !c.endsWith('(deleted)'))) {
    for (const e of syntaxErrors(path.join(dir, f))) r.syntaxErrors.push(`${f}: ${e}`);
  }
  r.usedBeforeRequire = r.changed.filter((f) => JS.test(f)).flatMap((f) => usedBeforeRequire(path.join(dir, f)).map((e) => `${f}: ${e}`));
  if (r.usedBeforeRequire.length) r.problems.push(`provider used above its require (ReferenceError on load): ${r.usedBeforeRequire.join('; ')}`);
  r.tscAfter = tsconfig && !r.tscBefore ? tsc(tsconfig) : null;
  r.jsAfter = nodeCheckAll(dir, [...after.keys()]).filter((e) => !r.jsBefore.includes(e));
  if (r.syntaxErrors.length) r.problems.push(`syntax errors after the fix: ${r.syntaxErrors.join('; ')}`);
  if (r.tscAfter) r.problems.push(`tsc --noEmit fails after the fix:\n      ${r.tscAfter}`);
  if (r.jsAfter.length) r.problems.push(`node --check fails after the fix: ${r.jsAfter.join('; ')}`);

  // idempotence: a second fix changes nothing, and a re-scan finds only what was left for manual work
  const fix2 = run(process.execPath, [CLI, 'fix', '.', '--no-progress'], dir);
  const again = snapshot(dir);
  r.secondFixChanged = changedFiles(after, again);
  r.idempotent = r.secondFixChanged.length === 0;
  if (!r.idempotent) r.problems.push(`second fix changed: ${r.secondFixChanged.join(', ')} (${fix2.stderr.trim().split('\n')[0]})`);
  const rescan = run(process.execPath, [CLI, 'scan', '.', '--format', 'json', '--no-progress'], dir);
  try {
    r.leftAfterFix = JSON.parse(rescan.stdout).findings.length;
  } catch {
    r.leftAfterFix = -1;
  }
  if (!r.refused && r.leftAfterFix !== findings.length - r.fixed) {
    r.problems.push(`re-scan after the fix finds ${r.leftAfterFix} login(s), expected ${findings.length - r.fixed} (the ones left for manual work)`);
  }
  if (verbose) r.fixOutput = fix1.stderr;
  results.push(r);
  printWorkspace(r);
}

function printWorkspace(r) {
  const flagged = r.findings.length;
  const state = r.problems.length ? 'BROKEN' : flagged === 0 ? 'clean' : r.fixed === flagged ? 'fixed' : 'partly';
  const checks = [r.ts ? `tsc ${r.tscAfter ? 'FAIL' : r.tscBefore ? 'n/a' : 'ok'}` : 'node --check ' + (r.jsAfter.length ? 'FAIL' : 'ok'), `idempotent ${r.idempotent ? 'yes' : 'NO'}`];
  console.log(
    `${state.padEnd(6)} ${r.name.padEnd(36)} flagged ${flagged}/${r.expected}` +
      `${r.misses.length ? ` miss ${r.misses.length}` : ''}${r.falsePositives.length ? ` fp ${r.falsePositives.length}` : ''}` +
      `  fixed ${r.fixed}/${flagged}  ${checks.join(', ')}`,
  );
  for (const m of r.misses) console.log(`         missed: ${m}`);
  for (const f of r.falsePositives) console.log(`         false positive: ${f}`);
  for (const m of r.manual) console.log(`         manual: ${m.file}:${m.line} (${m.library}): ${m.reason}${r.manualAllowed ? ' [allowed to stay manual]' : ''}`);
  for (const p of r.problems) console.log(`         PROBLEM: ${p}`);
  if (verbose && r.fixOutput) console.log(r.fixOutput.replace(/^/gm, '         | '));
}

const sum = (f) => results.reduce((a, r) => a + f(r), 0);
const totals = {
  workspaces: results.length,
  expected: sum((r) => r.expected),
  flagged: sum((r) => r.findings.length),
  truePositives: sum((r) => r.findings.filter((f) => f.real).length),
  misses: sum((r) => r.misses.length),
  falsePositives: sum((r) => r.falsePositives.length),
  fixed: sum((r) => r.fixed),
  // fixed, and the workspace still parses, type-checks, loads and is stable under a second fix
  fixedValid: sum((r) => (r.problems.length ? 0 : r.fixed)),
  manual: sum((r) => r.manual.length),
  manualAllowed: sum((r) => (r.manualAllowed ? r.manual.length : 0)),
  refused: sum((r) => (r.refused ? r.findings.length : 0)),
  syntaxBreaks: sum((r) => (r.syntaxErrors.length ? 1 : 0)),
  typeBreaks: sum((r) => (r.tscAfter ? 1 : 0)),
  jsBreaks: sum((r) => (r.jsAfter.length ? 1 : 0)),
  usedBeforeRequire: sum((r) => (r.usedBeforeRequire.length ? 1 : 0)),
  notIdempotent: sum((r) => (r.idempotent ? 0 : 1)),
  tsWorkspaces: sum((r) => (r.ts ? 1 : 0)),
  brokenCorpus: sum((r) => (r.tscBefore || r.jsBefore.length ? 1 : 0)),
};
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)} %` : 'n/a');
totals.fixRate = totals.flagged ? totals.fixed / totals.flagged : 0;
console.log('');
console.log(`workspaces ${totals.workspaces} (${totals.tsWorkspaces} TypeScript with real typings)`);
console.log(`expected logins ${totals.expected}; flagged ${totals.flagged} (${totals.truePositives} real, ${totals.falsePositives} false positives); missed ${totals.misses}`);
console.log(`fixed automatically ${totals.fixed} of ${totals.flagged} flagged = ${pct(totals.fixed, totals.flagged)}, without breaking anything ${totals.fixedValid} = ${pct(totals.fixedValid, totals.flagged)}; left manual ${totals.manual} (${totals.manualAllowed} allowed by the issue); refused ${totals.refused}`);
console.log(`after the fix: syntax errors in ${totals.syntaxBreaks} workspace(s), tsc failures ${totals.typeBreaks}, node --check failures ${totals.jsBreaks}, provider used before its require ${totals.usedBeforeRequire}; second fix changed ${totals.notIdempotent} workspace(s)`);
if (totals.brokenCorpus) console.log(`corpus problems (invalid before the fix): ${totals.brokenCorpus} workspace(s)`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ totals, results }, null, 2) + '\n');
if (!keep) fs.rmSync(TMP, { recursive: true, force: true });
else console.log(`kept the fixed copies in ${TMP}`);
const broken = results.some((r) => r.problems.length);
process.exit(broken ? 1 : 0);
