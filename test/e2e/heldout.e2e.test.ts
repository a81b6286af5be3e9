/**
 * The held-out corpus (test/fixtures/heldout, issue 11) through the built CLI: bench/fix-rate.mjs scans and fixes
 * every workspace. This test holds what must never happen — a fix that breaks syntax, type checking (tsc with the
 * real typings) or loading, a second fix that changes something, a false positive, a refused fix — and prints the
 * fix rate, which is a figure rather than a pass/fail condition (`npm run bench:fix-rate` for the table).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

interface Totals {
  workspaces: number;
  expected: number;
  flagged: number;
  falsePositives: number;
  misses: number;
  fixed: number;
  fixedValid: number;
  refused: number;
  syntaxBreaks: number;
  typeBreaks: number;
  jsBreaks: number;
  usedBeforeRequire: number;
  notIdempotent: number;
  brokenCorpus: number;
}

describe('held-out corpus: scan and fix through the CLI', function () {
  this.timeout(30 * 60_000);

  it('no fix breaks syntax, types or loading; a second fix changes nothing; no false positive', () => {
    assert.ok(fs.existsSync(path.join(REPO, 'dist', 'cli.js')), 'dist/cli.js: run npm run build first');
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'heldout-')), 'fix-rate.json');
    const r = spawnSync(process.execPath, [path.join(REPO, 'bench', 'fix-rate.mjs'), '--json', out], { cwd: REPO, encoding: 'utf8', timeout: 30 * 60_000 });
    const report = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as { totals: Totals; results: { name: string; problems: string[] }[] }) : undefined;
    assert.ok(report, `bench/fix-rate.mjs did not finish (exit ${r.status}): ${r.stderr}`);
    const t = report.totals;
    console.log(
      `      held-out: ${t.workspaces} workspaces, flagged ${t.flagged}/${t.expected} (missed ${t.misses}), fixed automatically ${t.fixed}/${t.flagged} = ${((100 * t.fixed) / t.flagged).toFixed(1)} %`,
    );
    assert.deepEqual(
      report.results.filter((w) => w.problems.length).map((w) => `${w.name}: ${w.problems.join(' / ')}`),
      [],
    );
    assert.deepEqual(
      { brokenCorpus: t.brokenCorpus, falsePositives: t.falsePositives, refused: t.refused, syntaxBreaks: t.syntaxBreaks, typeBreaks: t.typeBreaks, jsBreaks: t.jsBreaks, usedBeforeRequire: t.usedBeforeRequire, notIdempotent: t.notIdempotent },
      { brokenCorpus: 0, falsePositives: 0, refused: 0, syntaxBreaks: 0, typeBreaks: 0, jsBreaks: 0, usedBeforeRequire: 0, notIdempotent: 0 },
    );
    assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /PROBLEM|BROKEN/.test(l)).join('\n'));
  });
});
