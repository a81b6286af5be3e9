import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analyzer } from '../../src/core/analyzer';

const WORKSPACE = path.resolve(__dirname, '../fixtures/workspace');

describe('Analyzer', () => {
  it('stops promptly when the AbortSignal fires', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-abort-'));
    for (let i = 0; i < 3000; i++) {
      fs.writeFileSync(path.join(dir, `f${i}.js`), `module.exports = ${i};\n`);
    }
    const controller = new AbortController();
    const started = Date.now();
    const p = new Analyzer(dir).scan([dir], {
      signal: controller.signal,
      onProgress: (pr) => {
        if (pr.phase === 'read' && pr.done > 0) {
          controller.abort();
        }
      },
    });
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    assert.ok(Date.now() - started < 5000);
  });

  it('keeps analysing after a file that throws inside a detector', async () => {
    const a = new Analyzer(WORKSPACE);
    const inner = a as unknown as { analyzeOnce(file: string, requests: unknown[]): unknown[] };
    const orig = inner.analyzeOnce.bind(a);
    inner.analyzeOnce = (file, requests) => {
      if (file.endsWith('send.ts')) {
        throw new Error('boom');
      }
      return orig(file, requests);
    };
    const r = await a.scan();
    assert.ok(r.skipped.some((s) => s.file.endsWith('send.ts') && /analysis failed: boom/.test(s.reason)));
    assert.ok(r.findings.some((f) => f.span.file.endsWith('read.mjs')));
  });

  it('analyses unsaved editor text incrementally with cross-file values', () => {
    const a = new Analyzer(WORKSPACE);
    const file = path.join(WORKSPACE, 'src/send.ts');
    const text = fs.readFileSync(file, 'utf8');
    a.env.add(path.join(WORKSPACE, '.env'), fs.readFileSync(path.join(WORKSPACE, '.env'), 'utf8'));
    assert.equal(a.analyzeText(file, text).length, 1);
    assert.equal(a.analyzeText(file, text.replace('auth: credentials', "auth: { type: 'OAuth2', user: 'x' }")).length, 0);
    assert.equal(a.analyzeText(file, text).length, 1);
    assert.deepEqual(a.analyzeText(path.join(WORKSPACE, 'src/other.ts'), 'export const x = 1;'), []);
  });

  it('finds the config in a file with syntax errors', () => {
    const a = new Analyzer(WORKSPACE);
    const f = a.analyzeText('/x/broken.js', "const nm = require('nodemailer');\nnm.createTransport({ host: 'smtp.office365.com', auth: { user: 'a', pass: 'b' } });\nfunction ( {{{ ");
    assert.equal(f.length, 1);
  });
});
