#!/usr/bin/env node
// Benchmark for the `mail-oauth-migrate scan` CLI.
//
// 1. Builds (once, cached under bench/.cache/) a workspace of real JS/TS files
//    unpacked from the pinned npm tarballs in bench/packages.json, plus the
//    seeded mail configs from bench/seeds/ copied into a few folders.
// 2. Times `node dist/cli.js scan <ws> --format json --output <tmp>` (fresh
//    process each run) and records its peak RSS.
// 3. Times ripgrep listing the files that mention a mail library in the same tree.
// 4. Prints a plain-text table, PASS/FAIL lines and a final single-line JSON.
//
// Exit code: 0 whenever the benchmark ran (even if targets are missed; look for
// FAIL lines), 1 if it could not run (workspace or CLI build failed, bad usage).
//
// Usage: node bench/run.mjs [--scan-only] [--workspace] [--runs N] [--no-cold]
//                           [--rebuild] [--no-install] [--cli PATH] [--help]

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureExtraTrees } from './trees.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const CACHE = path.join(BENCH_DIR, '.cache');
const TARBALLS = path.join(CACHE, 'tarballs');
const WS = path.join(CACHE, 'ws');
const STAMP = path.join(CACHE, 'ws.stamp.json');
const PACKAGES_FILE = path.join(BENCH_DIR, 'packages.json');
const SEEDS_DIR = path.join(BENCH_DIR, 'seeds');
const EXPECTED_FILE = path.join(SEEDS_DIR, 'expected.json');

// Bump when the workspace layout logic below changes (forces a rebuild).
const LAYOUT_VERSION = 2;
// Every seed is copied into each of these workspace folders.
const SEED_PLACEMENTS = ['apps/notifier/src/mail', 'services/legacy-imap/src', 'tools/scripts/mail'];
// Seed files that are not copied verbatim.
const SEED_ENV_FILE = 'env.txt'; // copied as .env next to the seeds and at the workspace root
const SEED_SKIP = new Set(['expected.json', SEED_ENV_FILE]);

const MIN_JS_TS_FILES = 8000;
const JS_TS_EXT = /\.(?:js|cjs|mjs|ts|tsx|jsx|mts|cts)$/i;
const RG_LIBRARIES = [
  'nodemailer',
  'imapflow',
  'imap',
  'imap-simple',
  'mail-listener',
  'mail-notifier',
  'emailjs',
  'node-pop3',
  'poplib',
  'yapople',
];

const TARGETS = { scanVsRgMax: 8, peakRssMaxMB: 250 };

// ---------------------------------------------------------------- utilities

const log = (...a) => console.error('[bench]', ...a);
const fmtInt = (n) => (n == null ? '-' : n.toLocaleString('en-US'));
const fmtS = (ms) => (ms == null ? '-' : (ms / 1000).toFixed(3));
const fmtMB = (mb) => (mb == null ? '-' : mb.toFixed(1));
const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const min = (xs) => (xs.length ? Math.min(...xs) : null);
const max = (xs) => (xs.length ? Math.max(...xs) : null);

class SetupError extends Error {}

function parseArgs(argv) {
  const opts = {
    scanOnly: false,
    workspace: false,
    runs: 3,
    cold: true,
    rebuild: false,
    install: true,
    cli: null,
    help: false,
    trees: true,
    allCandidates: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scan-only') opts.scanOnly = true;
    else if (a === '--workspace') opts.workspace = true;
    else if (a === '--no-cold') opts.cold = false;
    else if (a === '--rebuild') opts.rebuild = true;
    else if (a === '--no-install') opts.install = false;
    else if (a === '--no-trees') opts.trees = false;
    else if (a === '--no-all-candidates') opts.allCandidates = false;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--runs' || a.startsWith('--runs=')) {
      const v = a.includes('=') ? a.split('=')[1] : argv[++i];
      opts.runs = Number.parseInt(v, 10);
      if (!Number.isInteger(opts.runs) || opts.runs < 1)
        throw new SetupError(`--runs needs a positive integer, got ${v}`);
    } else if (a === '--cli' || a.startsWith('--cli=')) {
      opts.cli = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!opts.cli) throw new SetupError('--cli needs a path');
    } else throw new SetupError(`unknown argument: ${a} (try --help)`);
  }
  if (!opts.cli && process.env.BENCH_CLI) opts.cli = process.env.BENCH_CLI;
  return opts;
}

const HELP = `Usage: npm run bench -- [options]   (= node bench/run.mjs [options])

  --scan-only   time only the CLI scan, skip ripgrep (the scan/rg target is then SKIP)
  --workspace   build the workspace if needed, print its path on stdout and exit
  --runs N      timed warm-page-cache runs per tool (default 3, the median is used)
  --no-cold     skip the extra cold-page-cache run (needs root: /proc/sys/vm/drop_caches)
  --rebuild     rebuild the workspace even if the stamp matches
  --no-install  do not apt-get install ripgrep / time when they are missing (root only)
  --cli PATH    run this CLI script instead of dist/cli.js (also: env BENCH_CLI=PATH)
  --no-trees    skip the repos tree and the all-candidates tree (bench/trees.mjs)
  --no-all-candidates  skip the all-candidates tree only (its one scan takes a minute or two)
  --help        this text

Progress goes to stderr; the table, PASS/FAIL lines and the final JSON line go to stdout.`;

function walk(dir, onFile, { skipDirs = new Set(['node_modules']) } = {}) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skipDirs.has(e.name)) walk(p, onFile, { skipDirs });
    } else if (e.isFile()) onFile(p, e.name);
  }
}

function listSeedFiles() {
  const out = [];
  walk(SEEDS_DIR, (p) => out.push(path.relative(SEEDS_DIR, p).split(path.sep).join('/')));
  return out.sort();
}

function sha512Integrity(file) {
  return 'sha512-' + createHash('sha512').update(fs.readFileSync(file)).digest('base64');
}

function tarballName(pkg) {
  return `${pkg.name.replace(/^@/, '').replace(/\//g, '-')}-${pkg.version}.tgz`;
}

function readPackages() {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(PACKAGES_FILE, 'utf8'));
  } catch (e) {
    throw new SetupError(`cannot read ${PACKAGES_FILE}: ${e.message}`);
  }
  const pkgs = data.packages;
  if (!Array.isArray(pkgs) || !pkgs.length)
    throw new SetupError(`${PACKAGES_FILE}: "packages" must be a non-empty array`);
  const dests = new Set();
  for (const p of pkgs) {
    if (!p.name || !p.version || !p.dest)
      throw new SetupError(`${PACKAGES_FILE}: each package needs name, version, dest`);
    if (!/^\d+\.\d+\.\d+/.test(p.version))
      throw new SetupError(`${p.name}: version must be exact, got ${p.version}`);
    const d = path.posix.normalize(p.dest);
    if (path.posix.isAbsolute(d) || d.startsWith('..') || d.split('/').includes('node_modules'))
      throw new SetupError(
        `${p.name}: dest "${p.dest}" must be relative, inside the workspace, and not under node_modules`,
      );
    if (dests.has(d)) throw new SetupError(`duplicate dest ${d}`);
    dests.add(d);
  }
  return pkgs;
}

function readExpected() {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(EXPECTED_FILE, 'utf8'));
  } catch (e) {
    throw new SetupError(`cannot read ${EXPECTED_FILE}: ${e.message}`);
  }
  const perSeed = {};
  for (const [k, v] of Object.entries(data)) {
    if (k.startsWith('$')) continue;
    if (!Number.isInteger(v) || v < 0)
      throw new SetupError(`${EXPECTED_FILE}: count for ${k} must be an integer >= 0`);
    if (!fs.existsSync(path.join(SEEDS_DIR, k)))
      throw new SetupError(`${EXPECTED_FILE}: seed ${k} does not exist`);
    perSeed[k] = v;
  }
  return perSeed;
}

// ---------------------------------------------------------------- workspace

function workspaceHash() {
  const h = createHash('sha256');
  h.update(`layout:${LAYOUT_VERSION}\n`);
  h.update(`placements:${JSON.stringify(SEED_PLACEMENTS)}\n`);
  h.update(fs.readFileSync(PACKAGES_FILE));
  for (const rel of listSeedFiles()) {
    h.update(`\nseed:${rel}\n`);
    h.update(fs.readFileSync(path.join(SEEDS_DIR, rel)));
  }
  return h.digest('hex');
}

function fetchTarballs(pkgs) {
  fs.mkdirSync(TARBALLS, { recursive: true });
  const valid = (p) => {
    const f = path.join(TARBALLS, tarballName(p));
    if (!fs.existsSync(f)) return false;
    if (p.integrity && sha512Integrity(f) !== p.integrity) {
      log(`cached tarball ${tarballName(p)} does not match its integrity, fetching again`);
      fs.rmSync(f);
      return false;
    }
    return true;
  };
  const missing = pkgs.filter((p) => !valid(p));
  if (!missing.length) return;
  const specs = missing.map((p) => `${p.name}@${p.version}`);
  log(`downloading ${missing.length} tarball(s) with npm pack: ${specs.join(' ')}`);
  const tmp = fs.mkdtempSync(path.join(CACHE, 'pack-'));
  try {
    const r = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp, ...specs], {
      cwd: tmp,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error || r.status !== 0)
      throw new SetupError(
        `npm pack failed (${r.error?.message ?? 'exit ' + r.status}):\n${(r.stderr || '').slice(-2000)}`,
      );
    let packed;
    try {
      packed = JSON.parse(r.stdout);
    } catch {
      throw new SetupError(`npm pack printed no JSON:\n${r.stdout.slice(0, 2000)}`);
    }
    for (const p of missing) {
      const entry = packed.find((e) => e.name === p.name && e.version === p.version);
      if (!entry) throw new SetupError(`npm pack did not report ${p.name}@${p.version}`);
      const src = path.join(tmp, entry.filename);
      if (p.integrity && sha512Integrity(src) !== p.integrity)
        throw new SetupError(
          `${p.name}@${p.version}: tarball integrity ${sha512Integrity(src)} != pinned ${p.integrity}`,
        );
      fs.renameSync(src, path.join(TARBALLS, tarballName(p)));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function countTree(dir) {
  const c = { jsTsFiles: 0, jsTsBytes: 0, dtsFiles: 0, allFiles: 0, allBytes: 0 };
  walk(dir, (p, name) => {
    const size = fs.statSync(p).size;
    c.allFiles++;
    c.allBytes += size;
    if (JS_TS_EXT.test(name)) {
      c.jsTsFiles++;
      c.jsTsBytes += size;
      if (/\.d\.[cm]?ts$/i.test(name)) c.dtsFiles++;
    }
  });
  return c;
}

function buildWorkspace(pkgs, hash) {
  const started = Date.now();
  fetchTarballs(pkgs);
  const tmpWs = path.join(CACHE, 'ws.tmp');
  fs.rmSync(tmpWs, { recursive: true, force: true });
  fs.mkdirSync(tmpWs, { recursive: true });

  const perPackage = [];
  for (const p of pkgs) {
    const dest = path.join(tmpWs, ...path.posix.normalize(p.dest).split('/'));
    fs.mkdirSync(dest, { recursive: true });
    const r = spawnSync(
      'tar',
      [
        '-xzf',
        path.join(TARBALLS, tarballName(p)),
        '-C',
        dest,
        '--strip-components=1',
        '--no-same-owner',
        '--no-same-permissions',
      ],
      { encoding: 'utf8' },
    );
    if (r.error || r.status !== 0)
      throw new SetupError(`tar failed for ${p.name}: ${r.error?.message ?? r.stderr}`);
    // Make sure every directory is readable/traversable whatever modes the tarball had.
    walkDirs(dest, (d) => fs.chmodSync(d, 0o755));
    const c = countTree(dest);
    perPackage.push({
      name: p.name,
      version: p.version,
      dest: p.dest,
      jsTsFiles: c.jsTsFiles,
      dtsFiles: c.dtsFiles,
      allFiles: c.allFiles,
      bytes: c.allBytes,
    });
  }

  // Seeded mail configs, copied into a few realistic app folders.
  const seeds = listSeedFiles();
  for (const placement of SEED_PLACEMENTS) {
    const base = path.join(tmpWs, ...placement.split('/'));
    for (const rel of seeds) {
      const src = path.join(SEEDS_DIR, ...rel.split('/'));
      if (SEED_SKIP.has(rel)) {
        if (rel === SEED_ENV_FILE) {
          fs.mkdirSync(base, { recursive: true });
          fs.copyFileSync(src, path.join(base, '.env'));
        }
        continue;
      }
      const dst = path.join(base, ...rel.split('/'));
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
  fs.copyFileSync(path.join(SEEDS_DIR, SEED_ENV_FILE), path.join(tmpWs, '.env'));
  fs.writeFileSync(
    path.join(tmpWs, 'package.json'),
    JSON.stringify(
      {
        name: 'mail-oauth-bench-workspace',
        private: true,
        description: 'Generated by bench/run.mjs from bench/packages.json and bench/seeds. Do not edit.',
        dependencies: {
          dotenv: '^16.4.0',
          emailjs: '^4.0.0',
          imap: '^0.8.19',
          'imap-simple': '^5.1.0',
          imapflow: '^1.0.0',
          'mail-listener5': '^2.1.0',
          'node-pop3': '^0.9.0',
          nodemailer: '^6.9.0',
        },
      },
      null,
      2,
    ) + '\n',
  );

  const total = countTree(tmpWs);
  if (total.jsTsFiles < MIN_JS_TS_FILES)
    throw new SetupError(
      `workspace has only ${total.jsTsFiles} JS/TS files (< ${MIN_JS_TS_FILES}); add packages to bench/packages.json`,
    );

  fs.rmSync(WS, { recursive: true, force: true });
  fs.renameSync(tmpWs, WS);
  const stamp = {
    hash,
    builtAt: new Date().toISOString(),
    layoutVersion: LAYOUT_VERSION,
    placements: SEED_PLACEMENTS,
    perPackage,
    total,
  };
  fs.writeFileSync(STAMP, JSON.stringify(stamp, null, 2) + '\n');
  log(
    `workspace built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${fmtInt(total.jsTsFiles)} JS/TS files`,
  );
  return stamp;
}

function walkDirs(dir, onDir) {
  onDir(dir);
  for (const e of fs.readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) walkDirs(path.join(dir, e.name), onDir);
}

function ensureWorkspace(force) {
  const pkgs = readPackages();
  readExpected(); // validate early
  fs.mkdirSync(CACHE, { recursive: true });
  const hash = workspaceHash();
  if (!force && fs.existsSync(WS) && fs.existsSync(STAMP)) {
    try {
      const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
      if (stamp.hash === hash) return { stamp, rebuilt: false };
      log('bench/packages.json or bench/seeds changed since the last build: rebuilding the workspace');
    } catch {
      log('unreadable stamp: rebuilding the workspace');
    }
  } else log(force ? 'rebuilding the workspace (--rebuild)' : 'no cached workspace: building it');
  return { stamp: buildWorkspace(pkgs, hash), rebuilt: true };
}

// ---------------------------------------------------------------- CLI build

function newestMtime(dir) {
  let newest = 0;
  walk(dir, (p) => {
    newest = Math.max(newest, fs.statSync(p).mtimeMs);
  });
  return newest;
}

function ensureCli(opts) {
  if (opts.cli) {
    const cli = path.resolve(opts.cli);
    if (!fs.existsSync(cli)) throw new SetupError(`CLI override ${cli} does not exist`);
    return { cli, display: `node ${path.relative(ROOT, cli) || cli}`, built: false, override: true };
  }
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const srcDir = path.join(ROOT, 'src');
  const haveSrc = fs.existsSync(srcDir);
  let reason = null;
  if (!fs.existsSync(cli)) reason = 'dist/cli.js is missing';
  else if (haveSrc) {
    const srcNewest = Math.max(
      newestMtime(srcDir),
      fs.existsSync(path.join(ROOT, 'esbuild.js')) ? fs.statSync(path.join(ROOT, 'esbuild.js')).mtimeMs : 0,
    );
    if (srcNewest > fs.statSync(cli).mtimeMs) reason = 'dist/cli.js is older than src/';
  }
  if (reason) {
    if (!haveSrc && !fs.existsSync(cli))
      throw new SetupError('dist/cli.js is missing and there is no src/ to build it from');
    log(`${reason}: running npm run build`);
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (r.error || r.status !== 0)
      throw new SetupError(`npm run build failed (${r.error?.message ?? 'exit ' + r.status})`);
    if (!fs.existsSync(cli)) throw new SetupError('npm run build did not produce dist/cli.js');
  }
  return { cli, display: 'node dist/cli.js', built: Boolean(reason), override: false };
}

// ---------------------------------------------------------------- measuring

let HAVE_GNU_TIME = false;
function detectGnuTime(allowInstall) {
  if (process.env.BENCH_NO_GNU_TIME) return false; // force the /proc VmHWM fallback (for testing it)
  const ok = () => spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  if (ok()) return true;
  if (allowInstall && aptInstall(['time']) && ok()) return true;
  log(
    'GNU time (/usr/bin/time) is not available: peak RSS falls back to polling VmHWM (apt-get install -y time)',
  );
  return false;
}

function canDropCaches() {
  try {
    fs.accessSync('/proc/sys/vm/drop_caches', fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function dropCaches() {
  spawnSync('sync');
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3\n');
}

/**
 * Runs cmd in a fresh process; returns wall time (ms, spawn to exit), peak RSS
 * (KiB) and the exit code. Peak RSS comes from GNU time (getrusage ru_maxrss of
 * the child) when /usr/bin/time exists, else from polling VmHWM in /proc.
 */
function runMeasured(cmd, args, { cwd, captureStdout = false }) {
  return new Promise((resolve) => {
    const timeFile = HAVE_GNU_TIME
      ? path.join(os.tmpdir(), `mail-oauth-bench-time-${process.pid}-${Date.now()}.txt`)
      : null;
    const argv = HAVE_GNU_TIME ? ['-f', '%M', '-o', timeFile, cmd, ...args] : args;
    const exe = HAVE_GNU_TIME ? '/usr/bin/time' : cmd;
    const stdoutChunks = [];
    let stdoutBytes = 0;
    let stderr = '';
    let hwmKiB = 0;
    const t0 = process.hrtime.bigint();
    const child = spawn(exe, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let poll = null;
    if (!HAVE_GNU_TIME) {
      const readHwm = () => {
        try {
          const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwmKiB = Math.max(hwmKiB, Number(m[1]));
        } catch {
          /* process gone */
        }
      };
      poll = setInterval(readHwm, 10);
    }
    child.stdout.on('data', (d) => {
      stdoutBytes += d.length;
      if (captureStdout) stdoutChunks.push(d);
      else if (stdoutChunks.length < 4) stdoutChunks.push(d);
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d.toString()).slice(-8000);
    });
    child.on('error', (err) => {
      if (poll) clearInterval(poll);
      resolve({
        wallMs: null,
        peakKiB: null,
        code: null,
        error: err.message,
        stdout: '',
        stderr,
        stdoutBytes: 0,
      });
    });
    child.on('close', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (poll) clearInterval(poll);
      let peakKiB = hwmKiB || null;
      if (timeFile) {
        try {
          // GNU time prefixes "Command exited with non-zero status N" when code != 0.
          const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
          const last = lines[lines.length - 1].trim();
          if (/^\d+$/.test(last)) peakKiB = Number(last);
          fs.rmSync(timeFile, { force: true });
        } catch {
          /* ignore */
        }
      }
      resolve({
        wallMs,
        peakKiB,
        code: signal ? null : code,
        signal,
        stdout: Buffer.concat(stdoutChunks).toString(),
        stdoutBytes,
        stderr,
      });
    });
  });
}

function warmPageCache(dir) {
  // Read every file once so that the timed runs all start from a warm page cache.
  const buf = Buffer.alloc(1 << 20);
  walk(dir, (p) => {
    const fd = fs.openSync(p, 'r');
    try {
      while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  });
}

function findRg() {
  const r = spawnSync('rg', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0];
}

let aptUpdated = false;
/** Installs Debian packages with apt-get when running as root; returns true on success. */
function aptInstall(pkgs) {
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) return false;
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  log(`installing Debian package(s): ${pkgs.join(' ')}`);
  let r = install();
  if (r.status !== 0 && !aptUpdated) {
    aptUpdated = true;
    spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2] });
    r = install();
  }
  return r.status === 0;
}

// ---------------------------------------------------------------- findings

function normalizeFindingPath(file, reportedRoot) {
  let f = String(file ?? '').replace(/\\/g, '/');
  for (const root of [reportedRoot, WS].filter(Boolean)) {
    const r = String(root).replace(/\\/g, '/').replace(/\/+$/, '');
    if (f.startsWith(r + '/')) {
      f = f.slice(r.length + 1);
      break;
    }
  }
  return f.replace(/^\.\//, '');
}

function checkFindings(report, perSeed) {
  const reported = new Map();
  for (const fd of report.findings) {
    const f = normalizeFindingPath(fd.file, report.root);
    reported.set(f, (reported.get(f) ?? 0) + 1);
  }
  const expected = new Map();
  for (const placement of SEED_PLACEMENTS)
    for (const [seed, n] of Object.entries(perSeed)) expected.set(`${placement}/${seed}`, n);

  const res = {
    expectedSeeded: 0,
    reportedTotal: report.findings.length,
    matchedSeeded: 0,
    missing: [], // seeded files with fewer findings than expected
    overReported: [], // seeded positive files with more findings than expected
    negativeHits: [], // seeds that must not be findings but were reported
    outside: [], // findings in files that are not seeds (vendor code)
    outsideCount: 0,
  };
  for (const [file, n] of expected) {
    const got = reported.get(file) ?? 0;
    res.expectedSeeded += n;
    res.matchedSeeded += Math.min(n, got);
    if (n === 0 && got > 0) res.negativeHits.push({ file, reported: got });
    else if (got < n) res.missing.push({ file, expected: n, reported: got });
    else if (got > n) res.overReported.push({ file, expected: n, reported: got });
  }
  for (const [file, got] of reported) {
    if (!expected.has(file)) {
      res.outside.push({ file, reported: got });
      res.outsideCount += got;
    }
  }
  res.outside.sort((a, b) => b.reported - a.reported || a.file.localeCompare(b.file));
  return res;
}

// ---------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(HELP);
    return 0;
  }

  const { stamp, rebuilt } = ensureWorkspace(opts.rebuild);
  if (opts.workspace) {
    console.log(WS);
    return 0;
  }
  const perSeed = readExpected();
  const tree = countTree(WS); // recount: catches a hand-edited workspace
  if (tree.jsTsFiles < MIN_JS_TS_FILES)
    log(`WARNING: workspace has only ${tree.jsTsFiles} JS/TS files; run with --rebuild`);

  const cli = ensureCli(opts);
  HAVE_GNU_TIME = detectGnuTime(opts.install);
  let rgVersion = opts.scanOnly ? null : findRg();
  if (!opts.scanOnly && !rgVersion && opts.install && aptInstall(['ripgrep'])) rgVersion = findRg();
  if (!opts.scanOnly && !rgVersion)
    log(
      'ripgrep (rg) is not installed and could not be installed (needs root + apt-get and the Debian mirror): ' +
        'run `apt-get update && apt-get install -y ripgrep`. Continuing WITHOUT the rg comparison.',
    );
  const doRg = !opts.scanOnly && Boolean(rgVersion);
  const cold = opts.cold && canDropCaches();
  if (opts.cold && !cold)
    log('cannot write /proc/sys/vm/drop_caches (not root?): skipping cold-page-cache runs');

  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-oauth-bench-'));
  const scanArgs = (out) => [cli.cli, 'scan', WS, '--format', 'json', '--output', out];
  const rgArgs = ['-l', '--no-ignore-parent', ...RG_LIBRARIES.flatMap((l) => ['-e', l]), WS];

  const scanRuns = [];
  const rgRuns = [];
  let scanCold = null;
  let rgCold = null;
  let lastReport = null;
  let reportError = null;
  const findingCounts = [];

  const readReport = (out) => {
    try {
      const rep = JSON.parse(fs.readFileSync(out, 'utf8'));
      if (!rep || !Array.isArray(rep.findings)) throw new Error('no findings array');
      if (rep.version !== 1) log(`WARNING: report version is ${rep.version}, expected 1`);
      return rep;
    } catch (e) {
      reportError = `cannot read the CLI JSON output ${out}: ${e.message}`;
      return null;
    }
  };
  const oneScan = async (label) => {
    const out = path.join(outDir, `scan-${label}.json`);
    log(`scan ${label}: ${cli.display} scan ${WS} --format json --output ${out}`);
    const r = await runMeasured(process.execPath, scanArgs(out), { cwd: ROOT });
    r.label = label;
    log(
      `  -> ${fmtS(r.wallMs)} s, peak RSS ${r.peakKiB ? fmtMB(r.peakKiB / 1024) + ' MB' : '?'}, exit ${r.code ?? r.signal ?? r.error}`,
    );
    if (r.code !== 0 && r.code !== 1) log(`  CLI stderr (tail):\n${r.stderr.slice(-3000)}`);
    const rep = r.code === 0 || r.code === 1 ? readReport(out) : null;
    if (rep) {
      lastReport = rep;
      findingCounts.push(rep.findings.length);
    }
    fs.rmSync(out, { force: true });
    return r;
  };
  const oneRg = async (label) => {
    const r = await runMeasured('rg', rgArgs, { cwd: ROOT, captureStdout: true });
    r.label = label;
    r.matchedFiles = r.stdout ? r.stdout.split('\n').filter(Boolean).length : 0;
    log(`rg ${label}: ${fmtS(r.wallMs)} s, ${r.matchedFiles} files matched, exit ${r.code}`);
    return r;
  };

  try {
    // Scan: one cold-page-cache run (if possible), then N warm runs.
    if (cold) {
      dropCaches();
      scanCold = await oneScan('cold');
    } else {
      log('warming the page cache (reading every workspace file once)');
      warmPageCache(WS);
    }
    for (let i = 1; i <= opts.runs; i++) scanRuns.push(await oneScan(`warm-${i}`));
    if (doRg) {
      if (cold) {
        dropCaches();
        rgCold = await oneRg('cold');
      } else warmPageCache(WS);
      for (let i = 1; i <= opts.runs; i++) rgRuns.push(await oneRg(`warm-${i}`));
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }

  // ------------------------------------------------------------ results
  const okScan = (r) => r && (r.code === 0 || r.code === 1) && r.wallMs != null;
  const scanOk = scanRuns.filter(okScan);
  const scanFailed = [...(scanCold ? [scanCold] : []), ...scanRuns].filter((r) => !okScan(r));
  const scanWall = scanOk.map((r) => r.wallMs);
  const allScan = [...(scanCold && okScan(scanCold) ? [scanCold] : []), ...scanOk];
  const rssMB = allScan
    .map((r) => r.peakKiB)
    .filter((x) => x != null)
    .map((k) => k / 1024);
  const rgOk = rgRuns.filter((r) => r.code === 0 || r.code === 1);
  const rgWall = rgOk.map((r) => r.wallMs);
  const scanMed = median(scanWall);
  const rgMed = median(rgWall);
  const ratio = scanMed != null && rgMed ? scanMed / rgMed : null;
  const coldRatio = scanCold && okScan(scanCold) && rgCold ? scanCold.wallMs / rgCold.wallMs : null;
  const peakRss = max(rssMB);
  const fcheck = lastReport ? checkFindings(lastReport, perSeed) : null;
  const expectedSeeded = SEED_PLACEMENTS.length * Object.values(perSeed).reduce((a, b) => a + b, 0);

  const targets = [];
  const tgt = (name, status, detail) => targets.push({ name, status, detail });
  // The repos tree and the all-candidates tree (issue 10; see bench/trees.mjs).
  const extra = opts.trees
    ? await measureExtraTrees({
        cache: CACHE,
        tarballs: TARBALLS,
        fetchTarballs,
        tarballName,
        log,
        runMeasured,
        cli: cli.cli,
        root: ROOT,
        mainWs: WS,
        rgArgsFor: (dir) => ['-l', ...RG_LIBRARIES.flatMap((l) => ['-e', l]), dir],
        runs: opts.runs,
        doRg,
        allCandidates: opts.allCandidates,
      })
    : null;
  const repos = extra?.json.repos;
  if (repos?.ratio != null)
    tgt(
      'repos tree: scan <= 5x rg',
      repos.ratio <= 5 ? 'PASS' : 'FAIL',
      `${repos.ratio.toFixed(1)}x (goal 4x)`,
    );
  if (repos?.peakRssMB != null)
    tgt('repos tree: peak RSS <= 150 MB', repos.peakRssMB <= 150 ? 'PASS' : 'FAIL', `${repos.peakRssMB} MB`);
  const all = extra?.json.allCandidates;
  if (all)
    tgt(
      'all-candidates: peak RSS < 500 MB, time < 60 s',
      all.peakRssMB != null && all.peakRssMB < 500 && all.scanMs != null && all.scanMs < 60000
        ? 'PASS'
        : 'FAIL',
      `${all.peakRssMB ?? '-'} MB (goal 300), ${all.scanMs == null ? '-' : (all.scanMs / 1000).toFixed(1)} s`,
    );
  if (!doRg) tgt('scan <= 8x rg', 'SKIP', opts.scanOnly ? '--scan-only' : 'ripgrep not available');
  else if (ratio == null) tgt('scan <= 8x rg', 'FAIL', 'no successful scan run to compare');
  else
    tgt(
      'scan <= 8x rg',
      ratio <= TARGETS.scanVsRgMax ? 'PASS' : 'FAIL',
      `median scan ${fmtS(scanMed)} s / median rg ${fmtS(rgMed)} s = ${ratio.toFixed(1)}x (limit ${TARGETS.scanVsRgMax}x, warm page cache)`,
    );
  if (peakRss == null) tgt('peak RSS <= 250 MB', 'FAIL', 'no successful scan run measured');
  else
    tgt(
      'peak RSS <= 250 MB',
      peakRss <= TARGETS.peakRssMaxMB ? 'PASS' : 'FAIL',
      `max over ${rssMB.length} run(s) ${fmtMB(peakRss)} MB (limit ${TARGETS.peakRssMaxMB} MB)`,
    );
  if (!fcheck) tgt('every seeded finding reported', 'FAIL', reportError ?? 'no scan output to check');
  else {
    tgt(
      'every seeded finding reported',
      fcheck.missing.length === 0 ? 'PASS' : 'FAIL',
      `${fcheck.matchedSeeded}/${fcheck.expectedSeeded} seeded findings` +
        (fcheck.missing.length
          ? `; missing in: ${fcheck.missing.map((m) => `${m.file} (${m.reported}/${m.expected})`).join(', ')}`
          : ''),
    );
    tgt(
      'no findings in negative seeds',
      fcheck.negativeHits.length === 0 ? 'PASS' : 'FAIL',
      fcheck.negativeHits.length
        ? fcheck.negativeHits.map((m) => `${m.file} (${m.reported})`).join(', ')
        : `${SEED_PLACEMENTS.length * Object.values(perSeed).filter((n) => n === 0).length} must-not-report files clean`,
    );
  }
  if (scanFailed.length)
    tgt(
      'CLI exit code 0/1',
      'FAIL',
      scanFailed
        .map((r) => `${r.label}: ${r.error ?? (r.signal ? 'signal ' + r.signal : 'exit ' + r.code)}`)
        .join(', '),
    );

  // ------------------------------------------------------------ print
  const L = [];
  L.push('Mail OAuth Migrator - scan benchmark');
  L.push('='.repeat(72));
  L.push(`workspace          ${WS} (${rebuilt ? 'built now' : 'cached, built ' + stamp.builtAt})`);
  L.push(
    `JS/TS files        ${fmtInt(tree.jsTsFiles)} files, ${fmtMB(tree.jsTsBytes / 1048576)} MB, of which ${fmtInt(tree.dtsFiles)} .d.ts   (all files: ${fmtInt(tree.allFiles)}, ${fmtMB(tree.allBytes / 1048576)} MB)`,
  );
  L.push(
    `packages           ${(stamp.perPackage ?? []).map((p) => `${p.name}@${p.version} (${fmtInt(p.jsTsFiles)})`).join(', ')}`,
  );
  L.push(
    `seeds              ${Object.keys(perSeed).length} files x ${SEED_PLACEMENTS.length} placements (${SEED_PLACEMENTS.join(', ')}); ${expectedSeeded} findings expected`,
  );
  L.push(
    `scan command       ${cli.display} scan <ws> --format json --output <tmp>   (cwd ${ROOT}${cli.built ? ', rebuilt by npm run build' : ''})`,
  );
  L.push(
    `rg command         ${doRg ? `rg -l --no-ignore-parent ${RG_LIBRARIES.map((l) => '-e ' + l).join(' ')} <ws>   (${rgVersion})` : opts.scanOnly ? 'skipped (--scan-only)' : 'skipped (ripgrep not installed: apt-get install -y ripgrep)'}`,
  );
  L.push(
    `method             every run is a fresh process; ${opts.runs} timed run(s) per tool with a WARM page cache, MEDIAN reported (min/max shown)`,
  );
  L.push(
    `                   ${cold ? 'plus 1 COLD run per tool right after `echo 3 > /proc/sys/vm/drop_caches` (evicts the workspace, node and dist/cli.js too)' : 'no cold-page-cache run (' + (opts.cold ? 'drop_caches not writable' : '--no-cold') + '); the page cache was warmed first by reading every file'}`,
  );
  L.push(
    `peak RSS from      ${HAVE_GNU_TIME ? 'GNU time %M (getrusage ru_maxrss of the CLI process)' : 'polling /proc/<pid>/status VmHWM every 10 ms (a lower bound)'}; 1 MB = 1024 KiB`,
  );
  L.push('');
  const row = (a, b, c, d, e) =>
    L.push(
      `${a.padEnd(28)}${String(b).padStart(10)}${String(c).padStart(10)}${String(d).padStart(10)}${String(e).padStart(10)}`,
    );
  row('measure', 'median', 'min', 'max', 'cold');
  row('-'.repeat(26), '-'.repeat(8), '-'.repeat(8), '-'.repeat(8), '-'.repeat(8));
  row(
    'scan wall time (s)',
    fmtS(scanMed),
    fmtS(min(scanWall)),
    fmtS(max(scanWall)),
    scanCold && okScan(scanCold) ? fmtS(scanCold.wallMs) : '-',
  );
  const warmRss = scanOk
    .map((r) => r.peakKiB)
    .filter((x) => x != null)
    .map((k) => k / 1024);
  row(
    'scan peak RSS (MB)',
    fmtMB(median(warmRss)),
    fmtMB(min(warmRss)),
    fmtMB(max(warmRss)),
    scanCold?.peakKiB ? fmtMB(scanCold.peakKiB / 1024) : '-',
  );
  if (lastReport?.stats?.durationMs != null)
    row('scan stats.durationMs (s)', fmtS(lastReport.stats.durationMs), '', '', '');
  if (doRg) {
    row(
      'rg wall time (s)',
      fmtS(rgMed),
      fmtS(min(rgWall)),
      fmtS(max(rgWall)),
      rgCold ? fmtS(rgCold.wallMs) : '-',
    );
    row(
      'scan / rg ratio',
      ratio == null ? '-' : ratio.toFixed(1) + 'x',
      '',
      '',
      coldRatio == null ? '-' : coldRatio.toFixed(1) + 'x',
    );
    row('rg files matched', fmtInt(rgOk[0]?.matchedFiles), '', '', '');
  }
  L.push('');
  if (lastReport) {
    const st = lastReport.stats ?? {};
    L.push(
      `CLI report         stats.files ${fmtInt(st.files)}, stats.parsed ${fmtInt(st.parsed)}, skipped ${fmtInt(lastReport.skipped?.length)}, findings ${fmtInt(lastReport.findings.length)}`,
    );
    if (new Set(findingCounts).size > 1)
      L.push(`WARNING            finding counts differ between runs: ${findingCounts.join(', ')}`);
  }
  if (fcheck) {
    L.push(
      `findings           expected seeded ${fcheck.expectedSeeded}, reported on seeds ${fcheck.matchedSeeded}, missing ${fcheck.expectedSeeded - fcheck.matchedSeeded}, ` +
        `negative-seed hits ${fcheck.negativeHits.reduce((a, b) => a + b.reported, 0)}, outside seeds ${fcheck.outsideCount}, total reported ${fcheck.reportedTotal}`,
    );
    for (const m of fcheck.missing)
      L.push(`  missing          ${m.file}: reported ${m.reported}, expected ${m.expected}`);
    for (const m of fcheck.overReported)
      L.push(`  WARN extra       ${m.file}: reported ${m.reported}, expected ${m.expected}`);
    for (const m of fcheck.negativeHits)
      L.push(`  false positive   ${m.file}: reported ${m.reported}, expected 0`);
    for (const m of fcheck.outside.slice(0, 10))
      L.push(`  WARN outside     ${m.file}: ${m.reported} finding(s) in non-seeded (vendor) code`);
    if (fcheck.outside.length > 10)
      L.push(`  WARN outside     ... and ${fcheck.outside.length - 10} more file(s)`);
  }
  if (extra) L.push('', ...extra.lines);
  L.push('');
  for (const t of targets) L.push(`${t.status.padEnd(5)} ${t.name}: ${t.detail}`);
  const failed = targets.filter((t) => t.status === 'FAIL').length;
  L.push(
    failed
      ? `RESULT: ${failed} target(s) FAILED (benchmark exit code is still 0)`
      : 'RESULT: all targets PASS',
  );
  console.log(L.join('\n'));

  const json = {
    bench: 'mail-oauth-migrator-scan',
    workspace: WS,
    files: tree.jsTsFiles,
    dtsFiles: tree.dtsFiles,
    mb: Number((tree.jsTsBytes / 1048576).toFixed(2)),
    allFiles: tree.allFiles,
    allMb: Number((tree.allBytes / 1048576).toFixed(2)),
    runs: opts.runs,
    statistic: 'median',
    pageCache: 'warm',
    scan: {
      command: `${cli.display} scan <ws> --format json --output <tmp>`,
      wallMs: scanWall.map((x) => Math.round(x)),
      medianMs: scanMed == null ? null : Math.round(scanMed),
      coldMs: scanCold && okScan(scanCold) ? Math.round(scanCold.wallMs) : null,
      peakRssMB: peakRss == null ? null : Number(peakRss.toFixed(1)),
      rssMethod: HAVE_GNU_TIME ? 'gnu-time' : 'vmhwm-poll',
      exitCodes: [...(scanCold ? [scanCold] : []), ...scanRuns].map((r) => r.code),
      stats: lastReport?.stats ?? null,
    },
    rg: doRg
      ? {
          version: rgVersion,
          wallMs: rgWall.map((x) => Math.round(x)),
          medianMs: rgMed == null ? null : Math.round(rgMed),
          coldMs: rgCold ? Math.round(rgCold.wallMs) : null,
          matchedFiles: rgOk[0]?.matchedFiles ?? null,
        }
      : null,
    ratio: ratio == null ? null : Number(ratio.toFixed(2)),
    coldRatio: coldRatio == null ? null : Number(coldRatio.toFixed(2)),
    findings: fcheck
      ? {
          expectedSeeded: fcheck.expectedSeeded,
          reportedSeeded: fcheck.matchedSeeded,
          missing: fcheck.missing,
          negativeHits: fcheck.negativeHits,
          overReported: fcheck.overReported,
          outsideSeeds: fcheck.outsideCount,
          total: fcheck.reportedTotal,
        }
      : { expectedSeeded, error: reportError ?? 'no successful scan run' },
    trees: extra?.json ?? null,
    targets: Object.fromEntries(targets.map((t) => [t.name, t.status])),
    pass: failed === 0,
  };
  console.log(JSON.stringify(json));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof SetupError) console.error(`bench: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);
