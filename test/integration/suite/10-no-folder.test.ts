import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './helpers';

interface Report {
  ok: boolean;
  steps: { name: string; ok: boolean; detail: string }[];
}

/**
 * Runs in its own VS Code session with an empty window (`npm run test:integration` starts it with
 * --no-folder and MOCHA_FILES=10-no-folder); skipped when a folder is open. Without a folder there is
 * no folder analyzer: Show Setup and Verify Setup start a short-lived worker, still never loading the core
 * on the extension host thread.
 */
suite('no workspace folder', () => {
  suiteSetup(function () {
    if (vscode.workspace.workspaceFolders?.length) {
      this.skip();
    }
  });

  test('Show Setup generates the checklist and script in a short-lived worker', async () => {
    const markdown = await vscode.commands.executeCommand<string | undefined>('mailOAuth.showSetup');
    assert.ok(markdown, 'the setup script');
    assert.match(markdown, /New-ServicePrincipal/);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
    const a = await api();
    assert.equal(a.isAnalyzerLoadedOnHost(), false, 'not on the extension host thread');
    assert.deepEqual(a.liveAnalyzers(), [], 'no folder analyzer was started');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Verify Setup reports the missing configuration from a short-lived worker', async () => {
    const report = await vscode.commands.executeCommand<Report | undefined>('mailOAuth.verifySetup', {
      protocol: 'imap',
      user: 'alerts@contoso.example',
    });
    assert.ok(report, 'a report');
    assert.equal(report.ok, false);
    assert.equal(report.steps[0].name, 'configuration');
    assert.equal(report.steps.length, 1);
    assert.equal((await api()).isAnalyzerLoadedOnHost(), false);
  });
});
