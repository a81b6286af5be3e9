import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';

interface Report {
  ok: boolean;
  steps: { name: string; ok: boolean; detail: string }[];
}

suite('walkthrough and setup commands', () => {
  test('the walkthrough is contributed with its seven steps', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const w = (
      ext.packageJSON as { contributes: { walkthroughs: { id: string; steps: { id: string }[] }[] } }
    ).contributes.walkthroughs;
    assert.equal(w[0].id, 'mailOAuth.migrate');
    assert.deepEqual(
      w[0].steps.map((s) => s.id),
      ['retired', 'register', 'permissions', 'servicePrincipal', 'scan', 'fix', 'verify'],
    );
  });

  test('mailOAuth.showSetup shows the setup script for the findings, generated off the host thread', async () => {
    const markdown = await vscode.commands.executeCommand<string | undefined>('mailOAuth.showSetup');
    assert.ok(markdown, 'the core generates the setup script');
    assert.match(markdown, /New-ServicePrincipal/);
    assert.match(markdown, /SMTP\.SendAsApp/);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
    assert.equal(vscode.window.activeTextEditor?.document.getText(), markdown);
    assert.equal((await api()).isAnalyzerLoadedOnHost(), false, 'generated in the analyzer worker');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('mailOAuth.explainText explains a pasted reply offline, without loading the analyzer on the host', async () => {
    const x = await vscode.commands.executeCommand<{ kind: string; detail: string; remedy: string } | undefined>(
      'mailOAuth.explainText',
      '535 5.7.139 Authentication unsuccessful, basic authentication is disabled.',
    );
    assert.equal(x?.kind, 'smtp');
    assert.match(x?.remedy ?? '', /mail-oauth-migrate fix/);
    assert.equal((await api()).isAnalyzerLoadedOnHost(), false);
  });

  test('mailOAuth.verifySetup reports a missing configuration without any network access, off the host thread', async () => {
    const report = await vscode.commands.executeCommand<Report | undefined>('mailOAuth.verifySetup', {
      protocol: 'smtp',
      user: 'alerts@contoso.example',
    });
    assert.ok(report, 'the core verifies');
    assert.equal(report.ok, false);
    assert.equal(report.steps[0].name, 'configuration');
    assert.equal(report.steps[0].ok, false);
    assert.match(report.steps[0].detail, /client|tenant|authority/i);
    assert.equal(report.steps.length, 1, 'stops before the token request');
    assert.equal((await api()).isAnalyzerLoadedOnHost(), false, 'verified in the analyzer worker');
  });
});
