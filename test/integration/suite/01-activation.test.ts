import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, api, open, report } from './helpers';

suite('activation', () => {
  test('runs in a real Node extension host', () => {
    console.log(
      `    vscode ${vscode.version}, node ${process.version}, ${vscode.env.appName}, uiKind=${vscode.UIKind[vscode.env.uiKind]}, remote=${vscode.env.remoteName}`,
    );
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension under development is loaded');
    // the tests revert edited documents: auto-save must be off (test/integration/workspace/.vscode/settings.json)
    assert.equal(vscode.workspace.getConfiguration('files').get('autoSave'), 'off');
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
  });

  test('activates on a JavaScript file without loading the analyzer', async () => {
    const doc = await open('src/plain.js');
    assert.equal(doc.languageId, 'javascript');
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const a = await api();
    assert.ok(ext.isActive);
    await a.whenIdle();
    assert.equal(a.isAnalyzerLoaded(), false, 'a file without mail code must not load the analyzer');
    assert.ok(a.activationMs < 1000, `activation took ${a.activationMs} ms`);
    report('activation', a.activationMs, 'ms');
    // Commands, the view and the code action provider are registered all the same.
    const commands = await vscode.commands.getCommands(true);
    for (const c of [
      'mailOAuth.scanWorkspace',
      'mailOAuth.migrateFile',
      'mailOAuth.migrateWorkspace',
      'mailOAuth.verifySetup',
      'mailOAuth.showSetup',
    ]) {
      assert.ok(commands.includes(c), `command ${c} registered`);
    }
    assert.equal(a.isAnalyzerLoaded(), false);
  });

  test('loads the analyzer on the first file that mentions a mail package', async () => {
    const a = await api();
    const doc = await open('src/pop3.mjs');
    await a.analyzeDocument(doc);
    assert.equal(a.isAnalyzerLoaded(), true);
    report('analyzer-load', a.analyzerLoadMs(), 'ms');
  });
});
