/**
 * A RuleTester-style harness for detectors: `valid` code must yield no finding, every `invalid` case
 * must yield exactly the listed findings. Cases run in an in-memory workspace rooted at /ws; `files`
 * adds other modules and `env` adds dotenv files, so cross-file resolution is exercised too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analyzer, type AnalyzerOptions } from '../../../src/core/analyzer';
import type { Finding } from '../../../src/core/model';

export const ROOT = '/ws-detector-tests';
export const FIXED_NOW = new Date('2026-11-22T12:00:00Z');

export interface CaseBase {
  /** Code of the main file. */
  code: string;
  /** Main file name (default `app.ts`). */
  filename?: string;
  /** Other modules by relative path. */
  files?: Record<string, string>;
  /** dotenv files by relative path (e.g. `.env`). */
  env?: Record<string, string>;
  options?: AnalyzerOptions;
  /**
   * Files that must exist on disk (package.json, `.meteor/release`): the case then runs in a temporary
   * folder holding these and every other file of the case.
   */
  disk?: Record<string, string>;
  /** Why the case exists (shown in the test title). */
  name?: string;
}

export interface ExpectedFinding {
  code?: string;
  host?: string;
  line?: number;
  severity?: Finding['severity'];
  /** Each entry must appear in some related message. */
  related?: string[];
  /** Must appear in the message (the framework's name, say). */
  message?: string;
}

export interface InvalidCase extends CaseBase {
  errors: ExpectedFinding[];
}

export type ValidCase = string | CaseBase;

export function analyzeCase(c: CaseBase): Finding[] {
  const root = c.disk ? fs.mkdtempSync(path.join(os.tmpdir(), 'mail-oauth-case-')) : ROOT;
  try {
    if (c.disk) {
      const all = { ...c.disk, ...c.files, ...c.env, [c.filename ?? 'app.ts']: c.code };
      for (const [rel, text] of Object.entries(all)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
    }
    const analyzer = new Analyzer(root, { now: () => FIXED_NOW, ...c.options });
    for (const [rel, text] of Object.entries(c.env ?? {})) {
      analyzer.env.add(`${root}/${rel}`, text);
    }
    for (const [rel, text] of Object.entries(c.files ?? {})) {
      analyzer.setSource(`${root}/${rel}`, text);
    }
    const main = `${root}/${c.filename ?? 'app.ts'}`;
    analyzer.setSource(main, c.code);
    return [...analyzer.analyzeFile(main), ...(c.disk ? analyzer.envFindings() : [])];
  } finally {
    if (c.disk) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
}

function title(c: CaseBase | string): string {
  const code = typeof c === 'string' ? c : c.code;
  const name = typeof c === 'string' ? undefined : c.name;
  const short = code.replace(/\s+/g, ' ').trim();
  return name ?? (short.length > 90 ? `${short.slice(0, 87)}...` : short);
}

let total = { valid: 0, invalid: 0 };
const byId = new Map<string, { valid: number; invalid: number }>();
export function caseCounts(): { valid: number; invalid: number } {
  return total;
}
/** Case counts per detector id (summed over every `run` of that id). */
export function caseCountsById(): ReadonlyMap<string, { valid: number; invalid: number }> {
  return byId;
}

export function run(detectorId: string, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const seen = new Set<string>();
  const key = (c: ValidCase | InvalidCase): string => JSON.stringify(typeof c === 'string' ? { code: c } : c);
  for (const c of [...cases.valid, ...cases.invalid]) {
    const k = key(c);
    if (seen.has(k)) {
      throw new Error(`duplicate test case in ${detectorId}: ${title(c)}`);
    }
    seen.add(k);
  }
  total = { valid: total.valid + cases.valid.length, invalid: total.invalid + cases.invalid.length };
  const mine = byId.get(detectorId) ?? { valid: 0, invalid: 0 };
  byId.set(detectorId, { valid: mine.valid + cases.valid.length, invalid: mine.invalid + cases.invalid.length });
  describe(detectorId, () => {
    describe('valid', () => {
      for (const c of cases.valid) {
        it(title(c), () => {
          const findings = analyzeCase(typeof c === 'string' ? { code: c } : c);
          assert.deepEqual(
            findings.map((f) => `${f.code}@${f.span.line}`),
            [],
            'expected no findings',
          );
        });
      }
    });
    describe('invalid', () => {
      for (const c of cases.invalid) {
        it(title(c), () => {
          assert.ok(c.errors.length > 0, 'an invalid case must expect at least one finding');
          const findings = analyzeCase(c);
          assert.equal(findings.length, c.errors.length, `findings: ${findings.map((f) => `${f.code}@${f.span.line} ${f.host}`).join(', ') || 'none'}`);
          c.errors.forEach((e, i) => {
            const f = findings[i];
            assert.equal(f.code, e.code ?? detectorId);
            if (e.host !== undefined) {
              assert.equal(f.host, e.host);
            }
            if (e.line !== undefined) {
              assert.equal(f.span.line, e.line);
            }
            if (e.severity !== undefined) {
              assert.equal(f.severity, e.severity);
            }
            if (e.message !== undefined) {
              assert.ok(f.message.includes(e.message), `"${e.message}" not in "${f.message}"`);
            }
            for (const r of e.related ?? []) {
              assert.ok(
                f.related.some((x) => x.message.includes(r) || `${x.file}:${x.line}`.endsWith(r)),
                `related "${r}" not in ${JSON.stringify(f.related.map((x) => `${x.file}:${x.line} ${x.message}`))}`,
              );
            }
            // Messages state the consequence and never echo a credential.
            assert.match(f.message, /OAuth/);
            assert.doesNotMatch(JSON.stringify(f), /hunter2|S3cr3t/);
          });
        });
      }
    });
  });
}
