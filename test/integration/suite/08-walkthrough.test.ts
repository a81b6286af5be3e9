import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, sleep } from './helpers';

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

  test('mailOAuth.showSetup shows the setup script for the findings (or the walkthrough)', async () => {
    const markdown = await vscode.commands.executeCommand<string | undefined>('mailOAuth.showSetup');
    if (markdown === undefined) {
      // the core has no setup generator yet: the walkthrough opens instead
      let label = '';
      for (let i = 0; i < 40 && !/walkthrough|welcome|mail/i.test(label); i++) {
        await sleep(100);
        label = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
      }
      console.log(`    (no setup generator in the core) active tab: ${label}`);
      assert.match(label, /walkthrough|welcome|mail/i);
    } else {
      assert.match(markdown, /New-ServicePrincipal/);
      assert.match(markdown, /SMTP\.SendAsApp/);
      assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
      assert.equal(vscode.window.activeTextEditor?.document.getText(), markdown);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('mailOAuth.verifySetup reports a missing configuration without any network access', async () => {
    const report = await vscode.commands.executeCommand<Report | undefined>('mailOAuth.verifySetup', {
      protocol: 'smtp',
      user: 'alerts@contoso.example',
    });
    if (report === undefined) {
      console.log('    (no verifier in the core yet: "coming soon")');
      return;
    }
    assert.equal(report.ok, false);
    assert.equal(report.steps[0].name, 'configuration');
    assert.equal(report.steps[0].ok, false);
    assert.equal(report.steps.length, 1, 'stops before the token request');
  });
});
