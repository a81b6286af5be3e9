// The two extra trees of `npm run bench` (issue 10), measured after the main workspace:
//
// - repos: real repositories, as a user scans them. Pinned npm tarballs (repos.json, fetched once and
//   cached in .cache/tarballs like the main workspace's) unpacked side by side and committed into a
//   local git repository, so that the scan lists the files with `git ls-files` as in a clone. Printed:
//   files, MB, scan time, ripgrep time, their ratio, peak RSS.
// - all-candidates: every file a candidate (all-candidates.mjs). Printed: files, scan time, peak RSS.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAllCandidates } from './all-candidates.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPOS_FILE = path.join(BENCH_DIR, 'repos.json');
// Bump when the tree layout below changes (rebuilds it).
const LAYOUT = 2;

/** Builds (once; rebuilt when repos.json changes) the repos tree and returns its path. */
export function ensureReposTree({ cache, tarballs, fetchTarballs, tarballName, log }) {
  const text = fs.readFileSync(REPOS_FILE, 'utf8');
  const pkgs = JSON.parse(text).packages;
  const dir = path.join(cache, 'repos');
  const stampFile = path.join(cache, 'repos.stamp.json');
  const stamp = createHash('sha256').update(`${LAYOUT}\n${text}`).digest('hex');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && fs.existsSync(dir)) {
    return dir;
  }
  const t0 = Date.now();
  fetchTarballs(pkgs);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const p of pkgs) {
    const dest = path.join(dir, p.dest);
    fs.mkdirSync(dest, { recursive: true });
    const r = spawnSync('tar', [
      '-xzf',
      path.join(tarballs, tarballName(p)),
      '-C',
      dest,
      '--strip-components=1',
      '--no-same-owner',
    ]);
    if (r.status !== 0) throw new Error(`tar failed for ${p.name}: ${r.stderr}`);
  }
  const git = (...args) => {
    const r = spawnSync(
      'git',
      [
        '-c',
        'user.name=bench',
        '-c',
        'user.email=bench@example.invalid',
        '-c',
        'commit.gpgsign=false',
        ...args,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
  };
  // npm tarballs carry no .gitignore: each project gets the usual one, as in a clone, and the tree
  // root one for the files a checkout of all of them leaves around.
  const IGNORE =
    'node_modules/\ndist/\ncoverage/\n*.log\n.env\n.env.local\n.DS_Store\n/build\n*.tgz\n.idea/\n.vscode/\ntmp/\n';
  fs.writeFileSync(path.join(dir, '.gitignore'), IGNORE);
  for (const p of pkgs) fs.writeFileSync(path.join(dir, p.dest, '.gitignore'), IGNORE);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench tree');
  fs.writeFileSync(stampFile, stamp);
  log(`repos tree built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

/** JS/TS files and their MB under `dir` (not .git). */
function count(dir) {
  let files = 0;
  let bytes = 0;
  const visit = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile() && /\.(?:js|cjs|mjs|ts|tsx|jsx|mts|cts)$/i.test(e.name)) {
        files++;
        bytes += fs.statSync(p).size;
      }
    }
  };
  visit(dir);
  return { files, mb: bytes / 1048576 };
}

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

/**
 * Measures the repos tree (scan and ripgrep, `runs` times each, medians) and the all-candidates tree
 * (one scan); returns printable lines and a JSON object.
 */
export async function measureExtraTrees({
  cache,
  tarballs,
  fetchTarballs,
  tarballName,
  log,
  runMeasured,
  cli,
  root,
  mainWs,
  rgArgsFor,
  runs,
  doRg,
  allCandidates,
}) {
  const lines = [];
  const json = {};
  const repos = ensureReposTree({ cache, tarballs, fetchTarballs, tarballName, log });
  const c = count(repos);
  const scan = [];
  const rg = [];
  for (let i = 0; i < runs; i++) {
    const out = path.join(cache, 'repos-report.json');
    const r = await runMeasured(process.execPath, [cli, 'scan', repos, '--format', 'json', '--output', out], {
      cwd: root,
    });
    if (r.code !== 0 && r.code !== 1) log(`repos scan failed (exit ${r.code}): ${r.stderr.slice(-500)}`);
    else scan.push(r);
    if (doRg) rg.push(await runMeasured('rg', rgArgsFor(repos), { cwd: root, captureStdout: true }));
  }
  const scanMs = median(scan.map((r) => r.wallMs));
  const rssMb = median(scan.map((r) => (r.peakKiB ? r.peakKiB / 1024 : null)));
  const rgMs = median(rg.map((r) => r.wallMs));
  const ratio = scanMs != null && rgMs ? scanMs / rgMs : null;
  lines.push(
    `repos tree         ${c.files.toLocaleString('en-US')} JS/TS files, ${c.mb.toFixed(1)} MB (git work tree): scan ${fmt(scanMs)} s, rg ${fmt(rgMs)} s, ratio ${ratio == null ? '-' : ratio.toFixed(1) + 'x'}, peak RSS ${rssMb == null ? '-' : rssMb.toFixed(0)} MB`,
  );
  json.repos = {
    files: c.files,
    mb: Number(c.mb.toFixed(1)),
    scanMs: round(scanMs),
    rgMs: round(rgMs),
    ratio: ratio == null ? null : Number(ratio.toFixed(2)),
    peakRssMB: round(rssMb),
  };
  if (allCandidates) {
    const dir = ensureAllCandidates(mainWs, path.join(cache, 'all-candidates'), log);
    const out = path.join(cache, 'all-candidates-report.json');
    log('all-candidates scan (one run)');
    const r = await runMeasured(process.execPath, [cli, 'scan', dir, '--format', 'json', '--output', out], {
      cwd: root,
    });
    let findings = null;
    try {
      findings = JSON.parse(fs.readFileSync(out, 'utf8')).findings.length;
    } catch {
      /* reported below as '-' */
    }
    const mb = r.peakKiB ? r.peakKiB / 1024 : null;
    lines.push(
      `all-candidates     ${count(dir).files.toLocaleString('en-US')} files, every one a candidate: scan ${fmt(r.wallMs)} s, peak RSS ${mb == null ? '-' : mb.toFixed(0)} MB, findings ${findings ?? '-'} (exit ${r.code})`,
    );
    json.allCandidates = { scanMs: round(r.wallMs), peakRssMB: round(mb), findings, exit: r.code };
  }
  return { lines, json };
}

const fmt = (ms) => (ms == null ? '-' : (ms / 1000).toFixed(3));
const round = (x) => (x == null ? null : Math.round(x));
