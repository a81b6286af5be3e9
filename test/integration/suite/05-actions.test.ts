import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, open, waitForDiagnostics } from './helpers';

const DOCS = 'https://github.com/mail-oauth-migrator/mail-oauth-migrator/blob/main/docs/rules.md';

async function actionsAt(
  uri: vscode.Uri,
  range: vscode.Range,
  kind?: string,
  resolve?: number,
): Promise<vscode.CodeAction[]> {
  return (
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      range,
      kind,
      resolve,
    )) ?? []
  );
}

suite('code actions', () => {
  test('quick fixes on a finding: migrate, ignore, learn more; no fixAll', async () => {
    const doc = await open('src/ignore-me.js');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the diagnostic');
    const actions = await actionsAt(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((a) => a.title);
    assert.ok(
      titles.some((t) => t.startsWith('Migrate to OAuth2')),
      titles.join(' | '),
    );
    const learn = actions.find((a) => a.title === 'Learn more about nodemailer-password-auth');
    assert.ok(learn?.command, titles.join(' | '));
    // 'vscode.open' reaches the caller as its internal id
    assert.ok(['vscode.open', '_workbench.open'].includes(learn.command.command), learn.command.command);
    assert.equal(String(learn.command.arguments?.[0]), `${DOCS}#nodemailer-password-auth`);
    assert.ok(actions.some((a) => a.title.startsWith('Ignore this config')));
    const fixAll = await actionsAt(doc.uri, d.range, vscode.CodeActionKind.SourceFixAll.value);
    assert.deepEqual(
      fixAll.map((a) => a.title).filter((t) => /mail|OAuth/i.test(t)),
      [],
      'nothing under source.fixAll',
    );
    const source = await actionsAt(doc.uri, d.range, 'source.mailOAuth.migrateFile');
    assert.equal(source.length, 1);
    assert.equal(source[0].kind?.value, 'source.mailOAuth.migrateFile');
  });

  test('"Ignore this config" adds a suppression comment with the same indentation', async () => {
    const a = await api();
    const doc = await open('src/ignore-me.js');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the diagnostic');
    const line = d.range.start.line;
    const indent = /^\s*/.exec(doc.lineAt(line).text)![0];
    assert.equal(indent, '    ');
    const actions = await actionsAt(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const ignore = actions.find((x) => x.title.startsWith('Ignore this config'));
    assert.ok(ignore?.edit);
    assert.ok(await vscode.workspace.applyEdit(ignore.edit));
    assert.equal(doc.lineAt(line).text, '    // mail-oauth-ignore');
    assert.match(doc.lineAt(line + 1).text, /^ {4}return nodemailer\.createTransport/);
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'the finding is suppressed');
    assert.equal(a.findings(doc.uri).length, 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the finding back after revert');
  });

  test('actions right after an edit are computed for the new version, never the stale one', async () => {
    const doc = await open('src/ignore-me.js');
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'the diagnostic');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), '// a new first line\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    // no wait for the debounced analysis: the provider analyses the current version itself
    const moved = new vscode.Range(d.range.start.translate(1), d.range.start.translate(1));
    const actions = await actionsAt(doc.uri, moved, vscode.CodeActionKind.QuickFix.value);
    const ignore = actions.find((x) => x.title.startsWith('Ignore this config'));
    assert.ok(ignore?.edit, actions.map((x) => x.title).join(' | '));
    const [, edits] = ignore.edit.entries()[0];
    assert.equal(edits[0].range.start.line, moved.start.line, 'the edit targets the line in the new version');
    const old = await actionsAt(
      doc.uri,
      new vscode.Range(d.range.start, d.range.start),
      vscode.CodeActionKind.QuickFix.value,
    );
    assert.ok(!old.some((x) => x.title.startsWith('Ignore')), 'no action at the old position');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitForDiagnostics(
      doc.uri,
      (ds) => ds.length === 1 && ds[0].range.start.line === d.range.start.line,
      'back to the saved text',
    );
  });
});
