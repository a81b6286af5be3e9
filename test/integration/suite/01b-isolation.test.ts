import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ScanSummary } from '../../../src/vscode/controller';
import { mailDiagnostics, open, waitForDiagnostics, wsUri } from './helpers';

/** Generated sources nested deeper than the analyzer's stack allows, over many lines (not minified). */
const HEAD = "const nodemailer = require('nodemailer');\n";
const DEEP: Record<string, string> = {
  'src/deep-parens.js': `${HEAD}const x =\n${'(\n'.repeat(60_000)}1${')\n'.repeat(60_000)};\n`,
  'src/deep-objects.js': `${HEAD}const x =\n${'{ a:\n'.repeat(30_000)}1${'}\n'.repeat(30_000)};\n`,
  'src/deep-arrows.js': `${HEAD}const f =\n${'() =>\n'.repeat(20_000)}1;\n`,
};

/** Files a workspace scan skips before any analysis, each naming nodemailer (else they are not candidates). */
const SKIPPED: Record<string, { text: string | Buffer; reason: RegExp }> = {
  'src/huge.js': { text: `${HEAD}${'// filler line\n'.repeat(80_000)}`, reason: /larger than 1 MB/ },
  'src/vendor.min.js': { text: `${HEAD}module.exports=1;\n`, reason: /minified/ },
  'src/blob.js': { text: Buffer.concat([Buffer.from(HEAD), Buffer.alloc(4096, 0)]), reason: /binary file/ },
};

// Runs right after activation, before any other file was analysed: the deep files are the first the
// analyzer worker sees (issue 10: they used to stop every diagnostic in the workspace).
suite('isolation: files too deeply nested to analyse', () => {
  suiteSetup(async () => {
    for (const [rel, text] of Object.entries(DEEP)) {
      await vscode.workspace.fs.writeFile(wsUri(rel), Buffer.from(text));
    }
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const rel of [...Object.keys(DEEP), ...Object.keys(SKIPPED)]) {
      await vscode.workspace.fs.delete(wsUri(rel));
    }
    // later suites start from no scan results (03-scan checks that unopened files have none)
    await vscode.commands.executeCommand('mailOAuth.clearFindings');
  });

  test('opened first, each gets an information message and the other files still get their diagnostics', async () => {
    for (const rel of Object.keys(DEEP)) {
      await open(rel);
    }
    for (const rel of Object.keys(DEEP)) {
      const [d] = await waitForDiagnostics(
        wsUri(rel),
        (ds) => ds.length === 1,
        `the "not analysed" message on ${rel}`,
      );
      assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
      assert.match(d.message, /did not analyse this file: too deeply nested to analyse/);
      assert.equal(d.range.start.line, 0);
    }
    const expected: [string, string][] = [
      ['src/smtp.js', 'nodemailer-password-auth'],
      ['src/imap.mts', 'imapflow-password-auth'],
      ['src/pop3.mjs', 'node-pop3-password-auth'],
    ];
    for (const [rel, code] of expected) {
      const doc = await open(rel);
      const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, `the diagnostic of ${rel}`);
      assert.equal(typeof d.code === 'object' ? String(d.code.value) : d.code, code);
    }
    // the deep files keep their message (no finding was lost or invented there)
    for (const rel of Object.keys(DEEP)) {
      assert.equal(mailDiagnostics(wsUri(rel)).length, 1);
    }
  });

  test('a workspace scan gives the files it skipped the same message while they are not open', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const [rel, { text }] of Object.entries(SKIPPED)) {
      await vscode.workspace.fs.writeFile(wsUri(rel), typeof text === 'string' ? Buffer.from(text) : text);
    }
    const summary = await vscode.commands.executeCommand<ScanSummary>('mailOAuth.scanWorkspace');
    assert.equal(summary.cancelled, false);
    const expected: [string, RegExp][] = [
      ...Object.entries(SKIPPED).map(([rel, { reason }]): [string, RegExp] => [rel, reason]),
      ...Object.keys(DEEP).map((rel): [string, RegExp] => [rel, /too deeply nested to analyse/]),
    ];
    for (const [rel, reason] of expected) {
      const [d, ...more] = await waitForDiagnostics(
        wsUri(rel),
        (ds) => ds.length >= 1,
        `the scan's "not analysed" message on ${rel}`,
      );
      assert.equal(more.length, 0, `one message on ${rel}`);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
      assert.match(d.message, /did not analyse this file/);
      assert.match(d.message, reason);
      assert.equal(d.range.start.line, 0);
    }
    // the scan still reports the files it analysed
    assert.equal(mailDiagnostics(wsUri('jobs/unopened-imap.js')).length, 1);
    // opened, the document's own analysis speaks for the file: one message, not two
    const deep = Object.keys(DEEP)[0];
    await open(deep);
    await waitForDiagnostics(wsUri(deep), (ds) => ds.length === 1, `one message on the opened ${deep}`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(mailDiagnostics(wsUri(deep)).length, 1);
  });
});
