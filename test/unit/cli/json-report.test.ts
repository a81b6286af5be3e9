/**
 * The CLI writes the JSON report a finding at a time (jsonReportChunks); the bytes must be those of
 * JSON.stringify(toJson(result), null, 2) + '\n', the contract CI consumers read.
 */
import * as assert from 'node:assert/strict';
import type { Finding, ScanResult } from '../../../src/core/model';
import { jsonReportChunks, toJson } from '../../../src/core/report';

function finding(i: number, extra: Partial<Finding> = {}): Finding {
  return {
    code: 'smtp-basic-auth',
    protocol: 'smtp',
    library: 'nodemailer',
    host: i % 2 ? 'smtp.office365.com' : undefined,
    severity: 'error',
    message: `login ${i} with "quotes", a back\\slash and ünïcode\nover two lines`,
    span: { file: `/w/src/f${i}.js`, line: i + 1, column: 3, endLine: i + 2, endColumn: 4, start: 0, end: 1 },
    related: i % 3 ? [{ file: `/w/.env`, line: 2, message: 'password here' }] : [],
    fixable: i % 2 === 0,
    mailbox: i % 4 ? `u${i}@contoso.example` : undefined,
    fix: { moduleStyle: 'cjs', passwordEnvVars: [], ...(i === 5 ? { framework: 'nestjs' } : {}) },
    ...extra,
  } as unknown as Finding;
}

const result = (findings: Finding[], skipped: ScanResult['skipped']): ScanResult => ({
  root: '/w',
  findings,
  skipped,
  stats: { files: 10, parsed: 3, durationMs: 42 },
});

describe('JSON report written in pieces', () => {
  for (const [name, r] of [
    [
      'findings and skipped files',
      result(
        [0, 1, 2, 3, 4, 5].map((i) => finding(i)),
        [
          { file: '/w/big.js', reason: 'file too large' },
          { file: '/elsewhere/x.js', reason: 'minified' },
        ],
      ),
    ],
    ['no findings, no skipped files', result([], [])],
    ['one finding', result([finding(7)], [])],
  ] as const) {
    it(`equals JSON.stringify(toJson(r), null, 2) + '\\n': ${name}`, () => {
      const streamed = [...jsonReportChunks(r)].join('');
      assert.equal(streamed, JSON.stringify(toJson(r), null, 2) + '\n');
      JSON.parse(streamed);
    });
  }
});
