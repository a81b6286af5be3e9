import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, codeOf, hintDiagnostics, open, waitForDiagnostics, wsUri } from './helpers';

const DOCS = 'https://github.com/mail-oauth-migrator/mail-oauth-migrator/blob/main/docs/rules.md';

function relatedFiles(d: vscode.Diagnostic): string[] {
  return (d.relatedInformation ?? []).map(
    (r) => `${vscode.workspace.asRelativePath(r.location.uri)}:${r.location.range.start.line + 1}`,
  );
}

suite('diagnostics per protocol', () => {
  test('SMTP: nodemailer with host from another module and .env', async () => {
    const doc = await open('src/smtp.js');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the nodemailer diagnostic');
    assert.equal(codeOf(d), 'nodemailer-password-auth');
    assert.equal(d.source, 'mail-oauth');
    // SMTP AUTH to Exchange Online: a warning until the end of 2026, an error after that (core decides by date)
    const expected =
      new Date() >= new Date('2027-01-01T00:00:00Z')
        ? vscode.DiagnosticSeverity.Error
        : vscode.DiagnosticSeverity.Warning;
    assert.equal(d.severity, expected);
    assert.match(d.message, /smtp\.office365\.com/);
    assert.equal(d.range.start.line, 4, 'on the createTransport call');
    const target = typeof d.code === 'object' ? d.code.target.toString() : '';
    assert.equal(target, `${DOCS}#nodemailer-password-auth`);
    const rel = relatedFiles(d);
    assert.ok(rel.includes('src/config.js:3'), `host from config.js: ${rel.join(', ')}`);
    assert.ok(rel.includes('.env:2'), `host from .env: ${rel.join(', ')}`);
    assert.ok(rel.includes('src/smtp.js:11'), `password property: ${rel.join(', ')}`);
    // the value of a password variable is never shown
    assert.ok(!(d.relatedInformation ?? []).some((r) => r.message.includes('not-a-real-password')));
    // the password property is struck through (Deprecated tag on a hint of its own range)
    const hints = hintDiagnostics(doc.uri);
    assert.equal(hints.length, 1);
    assert.deepEqual(hints[0].tags, [vscode.DiagnosticTag.Deprecated]);
    assert.equal(hints[0].range.start.line, 10);
    assert.equal(doc.getText(hints[0].range), 'pass: process.env.SMTP_PASS');
  });

  test('IMAP: imapflow in a .mts file, host through .env', async () => {
    const doc = await open('src/imap.mts');
    assert.equal(doc.languageId, 'typescript');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the imapflow diagnostic');
    assert.equal(codeOf(d), 'imapflow-password-auth');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /IMAP/);
    const rel = relatedFiles(d);
    assert.ok(rel.includes('.env:5'), `IMAP_HOST in .env: ${rel.join(', ')}`);
    assert.ok(rel.includes('src/imap.mts:8'), `password property: ${rel.join(', ')}`);
    assert.ok(
      (d.relatedInformation ?? []).some((r) => r.message.includes('IMAP_PASSWORD (value not shown)')),
    );
  });

  test('POP3: node-pop3 with an inline host', async () => {
    const doc = await open('src/pop3.mjs');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the node-pop3 diagnostic');
    assert.equal(codeOf(d), 'node-pop3-password-auth');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /POP3/);
    assert.deepEqual(relatedFiles(d), ['src/pop3.mjs:9']);
    assert.equal(hintDiagnostics(doc.uri).length, 1);
  });

  test('diagnostics follow edits (debounced) and disappear when the password goes', async () => {
    const a = await api();
    const doc = await open('src/pop3.mjs');
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the node-pop3 diagnostic');
    const line = doc.lineAt(8);
    assert.match(line.text, /password:/);
    const edit = new vscode.WorkspaceEdit();
    edit.delete(doc.uri, line.rangeIncludingLineBreak);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'no diagnostic without a password');
    assert.equal(a.findings(doc.uri).length, 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the diagnostic back after the revert');
  });

  test('closing a file (no workspace scan yet) clears its diagnostics', async () => {
    const uri = wsUri('src/closing.js');
    fs.writeFileSync(uri.fsPath, fs.readFileSync(wsUri('src/smtp.js').fsPath, 'utf8'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitForDiagnostics(uri, (ds) => ds.length === 1, 'the diagnostic of the new file');
    // Closing an editor does not close its document right away; a language change closes and reopens it.
    await vscode.languages.setTextDocumentLanguage(doc, 'plaintext');
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'diagnostics cleared after close');
    fs.rmSync(uri.fsPath);
  });
});
