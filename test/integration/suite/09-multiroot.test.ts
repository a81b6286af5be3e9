import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, mailDiagnostics, waitFor, waitForDiagnostics } from './helpers';

/**
 * Runs in its own VS Code session on test/integration/multiroot/multiroot.code-workspace (folders a and b;
 * `npm run test:integration` starts it with MOCHA_FILES=09-multiroot); skipped in the single-folder session.
 * Both folders hold the same src/send.js: a password login to mail.relay-b.example, a Microsoft endpoint
 * only in folder b's settings (mailOAuth.extraHosts). Folder a also has a plain finding in src/office.js.
 */
suite('multi-root workspaces', () => {
  const folders = (): readonly vscode.WorkspaceFolder[] => vscode.workspace.workspaceFolders ?? [];
  const byName = (name: string): vscode.WorkspaceFolder => {
    const f = folders().find((x) => x.name === name);
    assert.ok(f, `workspace folder ${name}`);
    return f;
  };
  const file = (folderName: string, rel: string): vscode.Uri =>
    vscode.Uri.joinPath(byName(folderName).uri, ...rel.split('/'));

  suiteSetup(function () {
    if (folders().length < 2) {
      this.skip();
    }
  });

  test('each folder gets its own analyzer worker with its own settings', async () => {
    const a = await api();
    const sendB = file('folder-b', 'src/send.js');
    const sendA = file('folder-a', 'src/send.js');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(sendB), { preview: false });
    const [d] = await waitForDiagnostics(
      sendB,
      (ds) => ds.length === 1,
      "folder b's finding (its extraHosts)",
    );
    assert.match(d.message, /mail\.relay-b\.example/);

    // the same code in folder a: its settings do not list the host, so no finding
    const docA = await vscode.workspace.openTextDocument(sendA);
    await vscode.window.showTextDocument(docA, { preview: false });
    await a.analyzeDocument(docA);
    await a.whenIdle();
    assert.deepEqual(mailDiagnostics(sendA), []);

    const live = a.liveAnalyzers();
    for (const f of folders()) {
      assert.ok(live.includes(f.uri.fsPath), `a worker for ${f.name} (${live.join(', ')})`);
    }
  });

  test('the workspace scan covers every folder', async () => {
    const a = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const summary = await a.scanWorkspace({ silent: true });
    assert.equal(summary.cancelled, false);
    const files = new Set(a.findings().map((f) => path.normalize(f.span.file)));
    assert.ok(files.has(file('folder-b', 'src/send.js').fsPath), 'the finding in folder b');
    assert.ok(files.has(file('folder-a', 'src/office.js').fsPath), 'the finding in folder a');
    assert.ok(!files.has(file('folder-a', 'src/send.js').fsPath), 'none for the same code in folder a');
    await waitForDiagnostics(
      file('folder-a', 'src/office.js'),
      (ds) => ds.length === 1,
      'Problems entry, folder a',
    );
  });

  test('an unused analyzer worker is ended and comes back on the next edit', async () => {
    const a = await api();
    const b = byName('folder-b');
    const sendB = file('folder-b', 'src/send.js');
    const idle = (v: number | undefined): Thenable<void> =>
      vscode.workspace
        .getConfiguration('mailOAuth', b.uri)
        .update('analyzerIdleMinutes', v, vscode.ConfigurationTarget.WorkspaceFolder);
    await idle(0.01);
    try {
      await waitFor(() => !a.liveAnalyzers().includes(b.uri.fsPath), "folder b's idle worker to end", 15000);
      assert.equal(mailDiagnostics(sendB).length, 1, 'its findings stay shown');
      assert.ok(
        a.liveAnalyzers().includes(byName('folder-a').uri.fsPath),
        "folder a's worker is not affected",
      );
    } finally {
      await idle(undefined);
    }
    const doc = await vscode.workspace.openTextDocument(sendB);
    await vscode.window.showTextDocument(doc, { preview: false });
    const edit = new vscode.WorkspaceEdit();
    edit.replace(sendB, new vscode.Range(2, 0, 2, 100), "  host: 'smtp.gmail.com',");
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(sendB, (ds) => ds.length === 0, 'the edit analysed by a new worker');
    assert.ok(a.liveAnalyzers().includes(b.uri.fsPath), 'a new worker for folder b');
    // Back to the original host by another edit (not a revert: VS Code for the Web auto-saves after a
    // delay, and a saved edit cannot be reverted).
    const back = new vscode.WorkspaceEdit();
    back.replace(sendB, new vscode.Range(2, 0, 2, 100), "  host: 'mail.relay-b.example',");
    assert.ok(await vscode.workspace.applyEdit(back));
    await waitForDiagnostics(sendB, (ds) => ds.length === 1, 'the restored host flagged again');
    await doc.save();
  });
});
