/**
 * One file that cannot be analysed never takes the others down (issue 10): generated sources nested
 * deeper than the stack allows are skipped with a reason in the CLI scan (its worker thread), the CLI
 * fix (the analyzer on the main thread), the analyzer's scan and editor entry point (with its edit fast
 * path), and the extension's analyzer worker, which keeps serving the other files.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Analyzer } from '../../src/core/analyzer';
import { planIsolated, TOO_DEEP } from '../../src/core/isolate';
import { reportOnly } from '../../src/core/scan-worker';
import { BATCH_FILES, classifyBuffer } from '../../src/core/scanner';
import type { Finding } from '../../src/core/model';
import { GOOD, HOSTILE } from './harness/hostile';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/cli.js');
const WORKER = path.join(REPO, 'dist/analyzer-worker.js');

function hostileWorkspace(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-hostile-')));
  for (const [name, text] of Object.entries(HOSTILE)) {
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.writeFileSync(path.join(dir, 'good.js'), GOOD);
  return dir;
}

function expectSkippedAll(skipped: { file: string; reason: string }[], dir: string): void {
  const reasons = Object.fromEntries(
    skipped.map((s) => [path.relative(dir, path.resolve(dir, s.file)), s.reason]),
  );
  for (const name of Object.keys(HOSTILE)) {
    assert.equal(reasons[name], TOO_DEEP, `${name}: ${reasons[name]}`);
  }
}

describe('isolation: hostile files', function () {
  this.timeout(120_000);
  const dir = hostileWorkspace();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the CLI scan skips each one with a reason and reports the others (exit 1, not 2)', function () {
    if (!fs.existsSync(CLI)) {
      this.skip();
    }
    const r = spawnSync(process.execPath, [CLI, 'scan', dir, '--format', 'json'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.findings.map((f: { file: string }) => f.file),
      ['good.js'],
    );
    expectSkippedAll(report.skipped, dir);
    const text = spawnSync(process.execPath, [CLI, 'scan', dir], { encoding: 'utf8' });
    assert.match(text.stdout, /parens\.js {2}\(too deeply nested to analyse\)/);
  });

  it('the CLI fix (analysis on the main thread) plans the good file and skips the others', function () {
    if (!fs.existsSync(CLI)) {
      this.skip();
    }
    const r = spawnSync(process.execPath, [CLI, 'fix', dir, '--dry-run', '--diff'], { encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|RangeError/);
    assert.match(r.stdout, /good\.js/);
  });

  it('Analyzer.scan skips each one; every shape alone too', async () => {
    const r = await new Analyzer(dir).scan();
    assert.deepEqual(
      r.findings.map((f) => path.basename(f.span.file)),
      ['good.js'],
    );
    expectSkippedAll(r.skipped, dir);
  });

  it('analyzeText: each shape is skipped with a reason; the good file still gets its finding', () => {
    const a = new Analyzer(dir);
    for (const [name, text] of Object.entries(HOSTILE)) {
      assert.throws(
        () => a.analyzeText(path.join(dir, name), text),
        (e: Error) => e.name === 'AnalysisSkipped' && e.message === TOO_DEEP,
        name,
      );
      assert.equal(a.analyzeText(path.join(dir, 'good.js'), GOOD).length, 1, `after ${name}`);
    }
    // the same text again is answered from memory, still with the reason
    assert.throws(
      () => a.analyzeText(path.join(dir, 'parens.js'), HOSTILE['parens.js']),
      /too deeply nested/,
    );
  });

  it('the editor fast path: an edit that nests too deeply is skipped, and undoing it brings the finding back', () => {
    const file = path.join(dir, 'edited.js');
    const before = `${GOOD}function other() {\n  let y = 1;\n  return y;\n}\n`;
    const a = new Analyzer(dir);
    assert.equal(a.analyzeText(file, before).length, 1);
    // an inert edit (no name the analysis reads) that the incremental parser cannot follow
    const deep = before.replace('let y = 1;', `let y = ${'(\n'.repeat(60_000)}1${')\n'.repeat(60_000)};`);
    assert.throws(() => a.analyzeText(file, deep), /too deeply nested/);
    assert.equal(a.analyzeText(path.join(dir, 'good.js'), GOOD).length, 1);
    assert.equal(a.analyzeText(file, before).length, 1);
  });

  it('the extension analyzer worker survives: the other files keep getting diagnostics', async function () {
    if (!fs.existsSync(WORKER)) {
      this.skip();
    }
    const worker = new Worker(WORKER, { workerData: { mailOAuthAnalyzer: true, root: dir, options: {} } });
    try {
      let next = 1;
      const replies = new Map<
        number,
        (m: { type: string; value?: unknown; name?: string; message?: string }) => void
      >();
      // a scan's findings come batch by batch before its result (as src/vscode/analyzer-client.ts takes them)
      const posted: Finding[] = [];
      worker.on('message', (m: { type: string; id: number; findings?: Finding[] }) =>
        m.type === 'findings' ? posted.push(...(m.findings ?? [])) : replies.get(m.id)?.(m),
      );
      const call = (method: string, ...args: unknown[]) =>
        new Promise<{ type: string; value?: unknown; name?: string; message?: string }>((resolve) => {
          const id = next++;
          replies.set(id, (m) => m.type !== 'progress' && resolve(m));
          worker.postMessage({ type: 'call', id, method, args });
        });
      for (const [name, text] of Object.entries(HOSTILE)) {
        const r = await call('analyzeText', path.join(dir, name), text);
        assert.equal(r.type, 'error', name);
        assert.equal(r.name, 'AnalysisSkipped');
        assert.equal(r.message, TOO_DEEP);
      }
      const good = await call('analyzeText', path.join(dir, 'good.js'), GOOD);
      assert.equal(good.type, 'result');
      assert.equal((good.value as Finding[]).length, 1);
      const scan = await call('scan', [dir]);
      assert.equal(scan.type, 'result', scan.message);
      const result = scan.value as { findings: Finding[]; skipped: { file: string; reason: string }[] };
      assert.deepEqual(result.findings, [], 'the worker keeps no finding of a scan');
      assert.deepEqual(
        posted.map((f) => path.basename(f.span.file)),
        ['good.js'],
      );
      expectSkippedAll(result.skipped, dir);
    } finally {
      await worker.terminate();
    }
  });
});

describe('isolation: the fix planner', () => {
  const finding = (file: string): Finding => ({ span: { file } }) as unknown as Finding;
  type Plan = { fixed: Finding[]; notFixed: { finding: Finding; reason: string }[] };
  const planner = (findings: readonly Finding[]): Plan => {
    if (findings.some((f) => f.span.file === 'deep.js')) {
      throw new RangeError('Maximum call stack size exceeded');
    }
    return { fixed: [...findings], notFixed: [] };
  };

  it('plans the other files together and lists the failing file as not fixed, with the reason', () => {
    const plan = planIsolated(planner, [finding('a.js'), finding('deep.js'), finding('b.js')], {});
    assert.deepEqual(
      plan.fixed.map((f) => f.span.file),
      ['a.js', 'b.js'],
    );
    assert.equal(plan.notFixed.length, 1);
    assert.equal(plan.notFixed[0].finding.span.file, 'deep.js');
    assert.match(plan.notFixed[0].reason, /too deeply nested to analyse/);
  });

  it('rethrows an error no single file explains', () => {
    let calls = 0;
    const flaky = (findings: readonly Finding[]): Plan => {
      if (calls++ === 0) {
        throw new Error('boom');
      }
      return { fixed: [...findings], notFixed: [] };
    };
    assert.throws(() => planIsolated(flaky, [finding('a.js')], {}), /boom/);
  });
});

describe('NUL bytes', () => {
  const CALL =
    "nodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@b.com', pass: 'p' } });\n";
  const HEAD = "const nodemailer = require('nodemailer');\n";

  it('a NUL in a string or a comment is text; UTF-16 and control-byte soup are binary', () => {
    const text = `${HEAD}const sep = '\0';\n/* \0 */\n${CALL}`;
    assert.deepEqual(classifyBuffer(Buffer.from(text), 'a.js', 1 << 20), { text });
    assert.deepEqual(classifyBuffer(Buffer.from(text, 'utf16le'), 'a.js', 1 << 20), { skip: 'binary file' });
    const soup = Buffer.from(`${HEAD}\0\x01\x02\x03\x04binary`);
    assert.deepEqual(classifyBuffer(soup, 'a.js', 1 << 20), { skip: 'binary file' });
    assert.deepEqual(classifyBuffer(Buffer.from([0x72, 0, 0xff, 0xfe]), 'a.js', 1 << 20), {
      skip: 'binary file',
    });
  });

  it('the scan reports a file whose NUL bytes sit in a string and a comment, and skips one whose NUL does not parse', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-nul-')));
    try {
      fs.writeFileSync(path.join(dir, 'nul.js'), `${HEAD}const sep = '\0';\n// a \0 here\n${CALL}`);
      // one NUL between two statements, in a file long enough for it to pass the byte test
      fs.writeFileSync(path.join(dir, 'code.js'), `${HEAD}\0\n${'// padding\n'.repeat(20)}${CALL}`);
      const r = await new Analyzer(dir).scan();
      assert.deepEqual(
        r.findings.map((f) => path.basename(f.span.file)),
        ['nul.js'],
      );
      assert.deepEqual(
        r.skipped.map((s) => [path.basename(s.file), s.reason]),
        [['code.js', 'binary file']],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bounded memory: batches', () => {
  it('analyses candidates a batch at a time, follows imports across batches, and keeps nothing after the scan', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-batches-')));
    try {
      fs.writeFileSync(path.join(dir, 'hosts.js'), "module.exports = { host: 'smtp.office365.com' };\n");
      const n = BATCH_FILES * 2 + 7;
      for (let i = 0; i < n; i++) {
        fs.writeFileSync(
          path.join(dir, `f${i}.js`),
          "const nodemailer = require('nodemailer');\nconst { host } = require('./hosts');\n" +
            `nodemailer.createTransport({ host, auth: { user: 'u${i}', pass: process.env.P } });\n`,
        );
      }
      const a = new Analyzer(dir);
      const open = path.join(dir, 'f0.js');
      a.setSource(open, fs.readFileSync(open, 'utf8'));
      const r = await a.scan();
      assert.equal(r.findings.length, n);
      assert.ok(r.findings.every((f) => f.host === 'smtp.office365.com'));
      assert.equal(r.stats.parsed, n);
      const inner = a as unknown as {
        overlay: Map<string, string>;
        parsed: Map<string, unknown>;
        program: unknown;
      };
      // only the text given before the scan (an open editor) stays
      assert.deepEqual([...inner.overlay.keys()], [open]);
      assert.ok(inner.parsed.size <= 1);
      assert.equal(inner.program, undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bounded memory: what the CLI scan worker posts', () => {
  it('leaves the fix planner hints out of scan findings, keeping what the report shows', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-slim-')));
    try {
      fs.writeFileSync(
        path.join(dir, 'send.js'),
        "const nodemailer = require('nodemailer');\n" +
          "nodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'u@x.com', pass: process.env.P } });\n",
      );
      const [f] = (await new Analyzer(dir).scan()).findings;
      assert.ok(f.fix.configSpan && f.fix.passwordSpan, 'the analyzer gives the hints');
      const slim = reportOnly(f);
      assert.equal(slim.fix.configSpan, undefined);
      assert.equal(slim.fix.authSpan, undefined);
      assert.equal(slim.fix.passwordSpan, undefined);
      assert.equal(slim.fix.userText, undefined);
      assert.deepEqual(slim.fix.passwordEnvVars, f.fix.passwordEnvVars);
      const { fix: _a, ...rest } = slim;
      const { fix: _b, ...full } = f;
      assert.deepEqual(rest, full);
      assert.ok(JSON.stringify(slim).length < JSON.stringify(f).length * 0.8);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
