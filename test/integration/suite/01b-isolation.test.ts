import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mailDiagnostics, open, waitForDiagnostics, wsUri } from './helpers';

/** Generated sources nested deeper than the analyzer's stack allows, over many lines (not minified). */
const HEAD = "const nodemailer = require('nodemailer');\n";
const DEEP: Record<string, string> = {
  'src/deep-parens.js': `${HEAD}const x =\n${'(\n'.repeat(60_000)}1${')\n'.repeat(60_000)};\n`,
  'src/deep-objects.js': `${HEAD}const x =\n${'{ a:\n'.repeat(30_000)}1${'}\n'.repeat(30_000)};\n`,
  'src/deep-arrows.js': `${HEAD}const f =\n${'() =>\n'.repeat(20_000)}1;\n`,
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
    for (const rel of Object.keys(DEEP)) {
      await vscode.workspace.fs.delete(wsUri(rel));
    }
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
});
