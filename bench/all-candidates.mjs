// The all-candidates workspace of `npm run bench`: every file is a candidate, as when each of the
// 53,869 files of tc39/test262's test/ tree gets a nodemailer config on top (issue 10; test262 itself
// is not fetched). Made from the real JS/TS files of the bench workspace (under 64 KB, not minified,
// no .d.ts, nothing under dist/ or build/), copied as many times as it takes to reach TARGET_FILES,
// each with a nodemailer password login to Office 365 on its first lines (so each yields one finding).
import fs from 'node:fs';
import path from 'node:path';

export const TARGET_FILES = 50_000;
const MAX_SOURCE_BYTES = 64 * 1024;
const JS_TS_EXT = /\.(?:js|cjs|mjs|ts|tsx|jsx|mts|cts)$/i;
const SKIP_NAME = /\.d\.[cm]?ts$|\.min\.[cm]?js$/i;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'out', 'coverage']);
// Bump when the layout below changes (the stamp then differs and the tree is rebuilt).
const LAYOUT = 1;

const header = (i) =>
  `const nodemailer = require('nodemailer');\n` +
  `const transport${i} = nodemailer.createTransport({ host: 'smtp.office365.com', port: 587, auth: { user: 'u${i}@example.com', pass: process.env.SMTP_PASS } });\n`;

function sources(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) {
        sources(p, out);
      }
    } else if (e.isFile() && JS_TS_EXT.test(e.name) && !SKIP_NAME.test(e.name)) {
      const size = fs.statSync(p).size;
      if (size > 0 && size <= MAX_SOURCE_BYTES) {
        out.push(p);
      }
    }
  }
  return out;
}

/** Builds (or reuses, when its stamp matches) the all-candidates tree at `dest` from the bench tree `from`. */
export function ensureAllCandidates(from, dest, log = () => undefined) {
  const stampFile = `${dest}.stamp.json`;
  const stamp = JSON.stringify({ layout: LAYOUT, target: TARGET_FILES, from });
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && fs.existsSync(dest)) {
    return dest;
  }
  const t0 = Date.now();
  fs.rmSync(dest, { recursive: true, force: true });
  const files = sources(from).sort();
  if (!files.length) {
    throw new Error(`no source files under ${from}`);
  }
  let n = 0;
  for (let copy = 0; n < TARGET_FILES; copy++) {
    for (const f of files) {
      if (n >= TARGET_FILES) {
        break;
      }
      const target = path.join(dest, `copy${copy}`, path.relative(from, f));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, header(n) + fs.readFileSync(f, 'utf8'));
      n++;
    }
  }
  fs.writeFileSync(path.join(dest, '.env'), 'SMTP_PASS=not-a-real-password\n');
  fs.writeFileSync(stampFile, stamp);
  log(
    `all-candidates tree built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${n.toLocaleString('en-US')} files`,
  );
  return dest;
}
