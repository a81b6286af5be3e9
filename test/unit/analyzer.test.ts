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

  it('loads the wrapper a call goes through before the first pass, and only a wrapper', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-wrap-')));
    fs.writeFileSync(path.join(dir, 'mailer.js'), "module.exports = require('nodemailer');\n");
    fs.writeFileSync(path.join(dir, 'util.js'), 'module.exports = { pad: (s) => s };\n');
    const app =
      "const mailer = require('./mailer');\nconst util = require('./util');\n" +
      "util.pad('x');\nmailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@b.c', pass: process.env.P } });\n";
    fs.writeFileSync(path.join(dir, 'app.js'), app);
    // the scan: the wrapper's call is found in the first round, no file needs a second one
    const scan = new Analyzer(dir);
    const r = await scan.scan();
    assert.deepEqual(
      r.findings.map((f) => path.basename(f.span.file)),
      ['app.js'],
    );
    assert.equal(scan.counts.laterPasses, 0);
    // the editor: the same in one pass; util.js (names no mail package) is never loaded
    const editor = new Analyzer(dir);
    assert.equal(editor.analyzeText(path.join(dir, 'app.js'), app).length, 1);
    assert.equal(editor.textOf(path.join(dir, 'mailer.js')), "module.exports = require('nodemailer');\n");
    assert.equal(editor.textOf(path.join(dir, 'util.js')), undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
