import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, api, open, report, sleep, wsUri } from './helpers';

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

  test('loads the analyzer (in a worker) on the first file that mentions a mail package', async () => {
    const a = await api();
    // Opening a document makes the built-in extensions of this host (TypeScript features...) work on the
    // host thread for a while (BENCH host-max-block-open-control: nothing for this extension to do). So the
    // first analysis is measured once they have settled: mail code typed into an open module.
    const rel = 'src/first-analysis.mjs';
    const file = wsUri(rel);
    fs.writeFileSync(file.fsPath, 'export const answer = 42;\n');
    try {
      const p0 = a.probeEventLoop();
      const doc = await open(rel);
      await sleep(1500);
      report('host-max-block-open-control', p0.stop(), 'ms');
      await a.whenIdle();
      assert.equal(a.isAnalyzerLoaded(), false, 'no mail code yet');

      const probe = a.probeEventLoop();
      const edit = new vscode.WorkspaceEdit();
      edit.insert(
        file,
        new vscode.Position(0, 0),
        [
          "import nodemailer from 'nodemailer';",
          'export const transport = nodemailer.createTransport({',
          "  host: 'smtp.office365.com',",
          '  port: 587,',
          "  auth: { user: 'first@contoso.example', pass: 'secret' },",
          '});',
          '',
        ].join('\n'),
      );
      assert.ok(await vscode.workspace.applyEdit(edit));
      const r = await a.analyzeDocument(doc);
      await a.whenIdle();
      const blocked = probe.stop();
      assert.equal(a.isAnalyzerLoaded(), true);
      assert.equal(r.findings, 1, 'the SMTP login is found');
      report('analyzer-load', a.analyzerLoadMs(), 'ms');
      report('first-analysis-total', r.ms, 'ms');
      // the core (TypeScript compiler) loads and runs in a worker: the extension host thread stays free
      report('host-max-block-first-analysis', blocked, 'ms');
      // The 100 ms target is tracked by the BENCH figure above (27-51 ms measured); the assertion only
      // catches a regression to analysing on the host thread (566-2894 ms) without failing on a busy
      // 2-core CI machine, where merely opening a file can block the host for ~500 ms.
      assert.ok(blocked < 400, `the extension host was blocked for ${blocked.toFixed(1)} ms`);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.rmSync(file.fsPath, { force: true });
    }
    // and an ordinary open of a file with mail code is analysed by that warm analyzer
    const pop3 = await open('src/pop3.mjs');
    const r = await a.analyzeDocument(pop3);
    assert.ok(r.findings >= 1, 'the POP3 login is found');
  });
});
