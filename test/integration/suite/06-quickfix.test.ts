import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileEdit, Finding } from '../../../src/core/model';
import { api, folder, open, waitFor, waitForDiagnostics } from './helpers';

type Planner = (
  findings: readonly Finding[],
  ctx: { readFile(f: string): string | undefined; flow?: string },
) => { edits: FileEdit[] };

/** The core as the extension loads it (dist/analyzer.js next to dist/extension.js). */
function coreModule(): {
  planFixes?: Planner;
  applyChanges?: (text: string, changes: FileEdit['changes']) => string;
} {
  const ext = vscode.extensions.getExtension('mail-oauth-migrator.mail-oauth-migrator')!;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ext.extensionPath, 'dist', 'analyzer.js')) as ReturnType<typeof coreModule>;
}

function applyChanges(text: string, changes: FileEdit['changes']): string {
  let out = text;
  for (const c of [...changes].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, c.start) + c.newText + out.slice(c.end);
  }
  return out;
}

async function actions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      range,
      vscode.CodeActionKind.QuickFix.value,
      50,
    )) ?? []
  );
}

suite('migration quick fix', () => {
  test('"Migrate to Microsoft Graph (sendMail)" is offered for a send-only nodemailer transport and resolves to the Graph transport', async function () {
    const a = await api();
    assert.ok(await a.hasFixPlanner(), 'the core exports its fix planner');
    const doc = await open('src/fixme.js');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the diagnostic');
    const graph = (await actions(doc.uri, d.range)).find((x) => x.title === 'Migrate to Microsoft Graph (sendMail)');
    assert.ok(graph, 'Graph quick fix');
    assert.notEqual(graph.isPreferred, true, 'XOAUTH2 stays the preferred fix');
    assert.ok(graph.edit, `resolved with an edit (command: ${graph.command?.arguments?.[0]})`);
    const own = graph.edit.get(doc.uri).map((e) => e.newText).join('\n');
    assert.match(own, /graphTransport\(\{ host: 'smtp\.office365\.com', user: 'reports@contoso\.example' \}\)/);
    assert.doesNotMatch(own, /provisionCallback/);
    // not applied: the next test migrates this file to XOAUTH2
  });

  test('EWS send code: the only quick fix is "Migrate to Microsoft Graph (sendMail)" (preferred), resolved to graphMailbox/graphMessage', async function () {
    const a = await api();
    assert.ok(await a.hasFixPlanner(), 'the core exports its fix planner');
    // a file of its own, removed after: other suites count the workspace's findings
    const file = path.join(folder().uri.fsPath, 'src', 'ews-send.js');
    fs.writeFileSync(
      file,
      [
        "const { ExchangeService, ExchangeVersion, WebCredentials, Uri, EmailMessage, MessageBody, BodyType } = require('ews-javascript-api');",
        'const service = new ExchangeService(ExchangeVersion.Exchange2013);',
        "service.Credentials = new WebCredentials('reports@contoso.example', process.env.EWS_PASSWORD);",
        "service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');",
        'async function notify(to, html) {',
        '  const message = new EmailMessage(service);',
        "  message.Subject = 'Report';",
        '  message.Body = new MessageBody(BodyType.HTML, html);',
        '  message.ToRecipients.Add(to);',
        '  await message.SendAndSaveCopy();',
        '}',
        'module.exports = { notify };',
        '',
      ].join('\n'),
    );
    try {
      const doc = await open('src/ews-send.js');
      const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the EWS diagnostic');
      const list = await actions(doc.uri, d.range);
      assert.equal(list.find((x) => /XOAUTH2/.test(x.title)), undefined, 'no XOAUTH2 fix for EWS');
      const graph = list.find((x) => x.title === 'Migrate to Microsoft Graph (sendMail)');
      assert.ok(graph, 'Graph quick fix');
      assert.equal(graph.isPreferred, true);
      assert.ok(graph.edit, `resolved with an edit (command: ${graph.command?.arguments?.[0]})`);
      const own = graph.edit.get(doc.uri).map((e) => e.newText).join('\n');
      assert.match(own, /graphMailbox\(\{ user: 'reports@contoso\.example', host: 'outlook\.office365\.com' \}\)/);
      assert.match(own, /graphMessage\(service\)/);
      // not applied
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(file, { force: true });
    }
  });

  test('nodejs-nodemailer-outlook: the XOAUTH2 fix only (its call is replaced, so no Graph quick fix)', async function () {
    const a = await api();
    assert.ok(await a.hasFixPlanner(), 'the core exports its fix planner');
    // a file of its own, removed after: other suites count the workspace's findings
    const file = path.join(folder().uri.fsPath, 'src', 'outlook-send.js');
    fs.writeFileSync(
      file,
      [
        "const nodeoutlook = require('nodejs-nodemailer-outlook');",
        'function notify(to, text) {',
        '  nodeoutlook.sendEmail({',
        "    auth: { user: 'reports@contoso.example', pass: process.env.OUTLOOK_PASSWORD },",
        "    from: 'reports@contoso.example',",
        '    to,',
        "    subject: 'Report',",
        '    text,',
        '  });',
        '}',
        'module.exports = { notify };',
        '',
      ].join('\n'),
    );
    try {
      const doc = await open('src/outlook-send.js');
      const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the nodejs-nodemailer-outlook diagnostic');
      const list = await actions(doc.uri, d.range);
      assert.equal(list.find((x) => /Graph/.test(x.title)), undefined, 'no Graph quick fix');
      const fix = list.find((x) => x.title === 'Migrate to OAuth2 (XOAUTH2) with MSAL');
      assert.ok(fix, `XOAUTH2 quick fix (got: ${list.map((x) => x.title).join(', ')})`);
      assert.ok(fix.edit, `resolved with an edit (command: ${fix.command?.arguments?.[0]})`);
      const own = fix.edit.get(doc.uri).map((e) => e.newText).join('\n');
      assert.match(own, /sendOutlookEmail\(/);
      // not applied
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(file, { force: true });
    }
  });

  test('end to end: executeCodeActionProvider → resolve → applyEdit gives the planner output', async function () {
    const a = await api();
    assert.ok(await a.hasFixPlanner(), 'the core exports its fix planner');
    const doc = await open('src/fixme.js');
    const before = doc.getText();
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the diagnostic');
    const [finding] = a.findings(doc.uri);
    // expected: the core planner's own edits applied to the texts (what the CLI would write)
    const core = coreModule();
    assert.ok(core.planFixes, 'planFixes exported by the core');
    const plan = core.planFixes([finding], {
      readFile: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
      flow: 'auto',
    });
    const expected = new Map(
      plan.edits.map((e) => [
        e.file,
        e.create ? e.changes[0].newText : applyChanges(fs.readFileSync(e.file, 'utf8'), e.changes),
      ]),
    );
    assert.ok(expected.has(doc.uri.fsPath), 'the planner rewrites the file itself');

    const fix = (await actions(doc.uri, d.range)).find(
      (x) => x.title === 'Migrate to OAuth2 (XOAUTH2) with MSAL',
    );
    assert.ok(fix, 'migration quick fix');
    assert.equal(fix.isPreferred, true);
    assert.ok(fix.edit, `resolved with an edit (command: ${fix.command?.arguments?.[0]})`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.getText(), expected.get(doc.uri.fsPath));
    // and the reviewed golden output (test/integration/expected/fixme.js)
    const golden = path.resolve(__dirname, '../../../../test/integration/expected/fixme.js');
    assert.equal(doc.getText(), fs.readFileSync(golden, 'utf8'), 'matches the golden file');
    assert.notEqual(doc.getText(), before);
    assert.ok(!/pass:\s*process\.env\.REPORT_SMTP_PASS/.test(doc.getText()), 'the password is gone');
    for (const [file, text] of expected) {
      if (file === doc.uri.fsPath) {
        continue;
      }
      const other = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      assert.equal(other.getText(), text, `content of ${path.relative(folder().uri.fsPath, file)}`);
    }
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'no finding after the migration');
    await vscode.workspace.saveAll(false);
    await waitFor(() => !doc.isDirty, 'saved');
  });

  test('source action source.mailOAuth.migrateFile resolves to an edit for the whole file', async function () {
    const a = await api();
    assert.ok(await a.hasFixPlanner(), 'the core exports its fix planner');
    const doc = await open('src/pop3.mjs');
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the node-pop3 diagnostic');
    const range = new vscode.Range(0, 0, 0, 0);
    const list =
      (await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        range,
        'source.mailOAuth.migrateFile',
        5,
      )) ?? [];
    assert.equal(list.length, 1);
    assert.ok(list[0].edit, `edit (command: ${list[0].command?.arguments?.[0]})`);
    assert.ok(await vscode.workspace.applyEdit(list[0].edit));
    assert.match(doc.getText(), /withPop3OAuth2\(new Pop3Command/);
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'no finding after the migration');
    await vscode.workspace.saveAll(false);
  });

  test('mailOAuth.migrateFile migrates an open file without a preview', async function () {
    const a = await api();
    assert.ok(await a.hasFixPlanner(), 'the core exports its fix planner');
    const doc = await open('src/imap.mts');
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the imapflow diagnostic');
    const summary = await vscode.commands.executeCommand<{ applied: number; skipped: number }>(
      'mailOAuth.migrateFile',
      doc.uri,
      { preview: false },
    );
    assert.deepEqual(summary, { applied: 1, skipped: 0 });
    assert.match(doc.getText(), /withImapFlowOAuth2\(new ImapFlow\(/);
    assert.ok(!/pass: process\.env\.IMAP_PASSWORD/.test(doc.getText()));
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'no finding after the migration');
    await vscode.workspace.saveAll(false);
  });
});
