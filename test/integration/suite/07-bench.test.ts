import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, median, report, waitForDiagnostics, wsUri } from './helpers';

/** A 2,000-line module with one nodemailer password login near the top and ordinary code below. */
function bigFile(lines: number): string {
  const head = [
    "const nodemailer = require('nodemailer');",
    "const config = require('./config');",
    '',
    'const transport = nodemailer.createTransport({',
    '  host: config.smtpHost,',
    '  port: 587,',
    "  auth: { user: 'bulk@contoso.example', pass: process.env.BULK_PASS },",
    '});',
    '',
  ];
  const body: string[] = [];
  for (let i = 0; head.length + body.length < lines - 1; i++) {
    body.push(
      `function handler${i}(input) {`,
      `  const value = input.items.map((x) => x * ${i % 7}).filter(Boolean);`,
      `  if (value.length > ${i % 13}) {`,
      `    return { id: ${i}, total: value.reduce((a, b) => a + b, 0) };`,
      '  }',
      `  return transport.options.host + String(${i});`,
      '}',
      '',
    );
  }
  return [...head, ...body].slice(0, lines - 1).join('\n') + '\nmodule.exports = { transport };\n';
}

suite('benchmark', () => {
  test('re-analysis of an edited 2,000-line file with a warm analyzer', async () => {
    const a = await api();
    const uri = wsUri('src/big-2000.js');
    fs.writeFileSync(uri.fsPath, bigFile(2000));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.lineCount, 2001);
    await waitForDiagnostics(uri, (ds) => ds.length === 1, 'the finding in the big file');
    await a.whenIdle();
    const analyzer: number[] = [];
    const inWorker: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < 21; i++) {
      const edit = new vscode.WorkspaceEdit();
      const line = 20 + ((i * 97) % 1900);
      edit.insert(uri, new vscode.Position(line, 0), `// edit ${i}\n`);
      const t0 = performance.now();
      assert.ok(await vscode.workspace.applyEdit(edit));
      const r = await a.analyzeDocument(doc);
      total.push(performance.now() - t0);
      analyzer.push(r.ms);
      inWorker.push(r.analyzerMs ?? r.ms);
      assert.equal(r.findings, 1);
    }
    // the first edits warm the type checker's caches up; report the median of all
    report('reanalysis-2000-lines-median', median(analyzer), 'ms');
    report('reanalysis-2000-lines-in-worker-median', median(inWorker), 'ms');
    report('edit-to-diagnostics-2000-lines-median', median(total), 'ms');
    report('reanalysis-2000-lines-max', Math.max(...analyzer), 'ms');
    assert.ok(median(analyzer) < 500, `median ${median(analyzer)} ms`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a workspace scan never blocks the extension host for 100 ms or more', async () => {
    const a = await api();
    await a.whenIdle();
    // 120 extra candidate files (a mail package each) plus the 2,000-line one: real work for the analyzer
    const dir = wsUri('bench-scan').fsPath;
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 120; i++) {
      fs.writeFileSync(
        `${dir}/job-${i}.js`,
        bigFile(150 + (i % 5) * 50).replace('config.smtpHost', "'smtp.office365.com'"),
      );
    }
    try {
      // A first scan, not measured: it meets the host's reactions to 120 new files (the built-in
      // extensions' file watchers) and loads what the scan loads once. Then three attempts at most: a
      // one-off stall of the shared 2-core machine (another process) must not fail the run, while
      // analysing on this thread again would block it for 0.5-3 s in every attempt.
      await a.scanWorkspace({ silent: true });
      await a.whenIdle();
      const blocks: number[] = [];
      for (let attempt = 0; attempt < 3 && !blocks.some((b) => b < 100); attempt++) {
        await vscode.commands.executeCommand('mailOAuth.clearFindings');
        await a.whenIdle();
        const probe = a.probeEventLoop();
        const summary = await a.scanWorkspace({ silent: true });
        blocks.push(probe.stop());
        assert.equal(summary.cancelled, false);
        assert.ok(summary.parsedFiles >= 120, `parsed ${summary.parsedFiles} files`);
        assert.ok(
          a.findings().filter((f) => f.span.file.includes('bench-scan')).length >= 120,
          `a finding in every generated file (${JSON.stringify(summary)})`,
        );
        report('scan-duration', summary.durationMs, 'ms');
        report('host-max-block-scan', blocks[blocks.length - 1], 'ms');
      }
      assert.ok(
        blocks.some((b) => b < 100),
        `the extension host was blocked for ${blocks.map((b) => b.toFixed(1)).join(' ms, then ')} ms`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await vscode.commands.executeCommand('mailOAuth.clearFindings');
      await a.whenIdle();
    }
  });
});
