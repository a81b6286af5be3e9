import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  api,
  codeOf,
  hintDiagnostics,
  mailDiagnostics,
  open,
  setSetting,
  waitForDiagnostics,
} from './helpers';

suite('settings', () => {
  suiteTeardown(async () => {
    for (const k of ['extraHosts', 'severity', 'exclude']) {
      await setSetting(k, undefined);
    }
    await (await api()).whenIdle();
  });

  test('mailOAuth.extraHosts: a corporate CNAME becomes a Microsoft endpoint', async () => {
    const a = await api();
    const doc = await open('src/corp.js');
    await a.analyzeDocument(doc);
    await a.whenIdle();
    assert.equal(mailDiagnostics(doc.uri).length, 0, 'mail.corp.example is not known by default');
    await setSetting('extraHosts', ['mail.corp.example']);
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'a finding for mail.corp.example');
    assert.equal(codeOf(d), 'nodemailer-password-auth');
    assert.match(d.message, /mail\.corp\.example/);
    await setSetting('extraHosts', undefined);
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'finding gone with the setting');
  });

  test('mailOAuth.severity overrides the severity per rule, and "off" hides the rule', async () => {
    const doc = await open('src/smtp.js');
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the nodemailer diagnostic');
    await setSetting('severity', { 'nodemailer-password-auth': 'info' });
    await waitForDiagnostics(
      doc.uri,
      (ds) => ds.length === 1 && ds[0].severity === vscode.DiagnosticSeverity.Information,
      'severity info',
    );
    await setSetting('severity', { 'nodemailer-password-auth': 'off' });
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'rule off');
    assert.equal(hintDiagnostics(doc.uri).length, 0, 'no Deprecated hint either');
    // other rules are untouched
    const imap = await open('src/imap.mts');
    await waitForDiagnostics(
      imap.uri,
      (ds) => ds.length === 1 && ds[0].severity === vscode.DiagnosticSeverity.Error,
      'imapflow still an error',
    );
    await setSetting('severity', { 'nodemailer-password-auth': 'error' });
    await waitForDiagnostics(
      doc.uri,
      (ds) => ds.length === 1 && ds[0].severity === vscode.DiagnosticSeverity.Error,
      'severity error',
    );
    await setSetting('severity', undefined);
  });

  test('mailOAuth.exclude drops files from the results', async () => {
    const doc = await open('src/pop3.mjs');
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the node-pop3 diagnostic');
    await setSetting('exclude', ['src/pop3.mjs']);
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'excluded file without diagnostics');
    await setSetting('exclude', undefined);
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'diagnostic back');
  });
});
