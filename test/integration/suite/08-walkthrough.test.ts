import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
    // the workspace's code sends over SMTP: without an argument the command asks XOAUTH2 or Graph
    const markdown = await vscode.commands.executeCommand<string | undefined>('mailOAuth.showSetup', { graph: false });
    assert.ok(markdown, 'the core generates the setup script');
    assert.match(markdown, /New-ServicePrincipal/);
    assert.match(markdown, /SMTP\.SendAsApp/);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
    assert.equal(vscode.window.activeTextEditor?.document.getText(), markdown);
    assert.equal((await api()).isAnalyzerLoadedOnHost(), false, 'generated in the analyzer worker');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('mailOAuth.showSetup with Microsoft Graph adds Application Mail.Send scoped by RBAC for Applications', async () => {
    const markdown = await vscode.commands.executeCommand<string | undefined>('mailOAuth.showSetup', { graph: true });
    assert.ok(markdown);
    assert.match(markdown, /## Microsoft Graph sendMail/);
    assert.match(markdown, /New-ManagementRoleAssignment -App \$ServicePrincipalObjectId -Role 'Application Mail\.Send'/);
    assert.match(markdown, /verify --protocol graph/);
    assert.doesNotMatch(markdown, /Connect-ExchangeOnline[^\n]*-Credential/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('mailOAuth.explainText explains a pasted reply offline, without loading the analyzer on the host', async () => {
    const x = await vscode.commands.executeCommand<
      { kind: string; detail: string; remedy: string } | undefined
    >('mailOAuth.explainText', '535 5.7.139 Authentication unsuccessful, basic authentication is disabled.');
    assert.equal(x?.kind, 'smtp');
    assert.match(x?.remedy ?? '', /mail-oauth-migrate fix/);
    assert.equal((await api()).isAnalyzerLoadedOnHost(), false);
  });

  test("the MCP server is registered for agent mode and answers over stdio on VS Code's Node.js", async function () {
    const lm = (vscode as unknown as { lm?: { registerMcpServerDefinitionProvider?: unknown } }).lm;
    const servers = (await api()).mcpServers();
    if (typeof lm?.registerMcpServerDefinitionProvider !== 'function') {
      assert.equal(servers, undefined);
      this.skip();
    }
    assert.equal(servers?.length, 1);
    const def = servers[0];
    assert.ok(def.args[0].endsWith(path.join('dist', 'cli-mcp.js')));
    // a file of its own: earlier suites migrate the workspace's mail code
    const cwd = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const probe = path.join(cwd, 'jobs', 'mcp-probe.cjs');
    fs.writeFileSync(
      probe,
      "require('nodemailer').createTransport({ host: 'smtp.office365.com', auth: { user: 'probe@contoso.example', pass: process.env.P } });\n",
    );
    const child = spawn(def.command, def.args, {
      cwd,
      env: { ...process.env, ...def.env },
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const send = (m: object): boolean => child.stdin.write(`${JSON.stringify(m)}\n`);
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'test', version: '1' },
        },
      });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'scan', arguments: { path: 'jobs/mcp-probe.cjs' } },
      });
      const deadline = Date.now() + 30000;
      while (!out.includes('"id":2') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const reply = out
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as {
              id?: number;
              result?: { structuredContent?: { findings: { code: string }[] } };
            },
        )
        .find((m) => m.id === 2);
      assert.ok(reply?.result?.structuredContent, out);
      assert.deepEqual(
        reply.result.structuredContent.findings.map((f) => f.code),
        ['nodemailer-password-auth'],
        out,
      );
    } finally {
      child.kill();
      fs.rmSync(probe, { force: true });
    }
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

  test('mailOAuth.verifySetup checks Microsoft Graph sendMail like verify --protocol graph (no network: the authority is a closed local port)', async () => {
    const report = await vscode.commands.executeCommand<(Report & { steps: { remedy?: string }[] }) | undefined>('mailOAuth.verifySetup', {
      protocol: 'smtp',
      user: 'alerts@contoso.example',
      tenantId: '7e3a1c52-0000-4000-8000-00000000a001',
      clientId: '11111111-1111-4111-8111-111111111111',
      clientSecret: 'not-a-real-secret',
      authority: 'https://127.0.0.1:9/7e3a1c52-0000-4000-8000-00000000a001',
      timeoutMs: 3000,
      graph: {},
    });
    assert.ok(report, 'the core verifies');
    assert.equal(report.steps[0].name, 'configuration');
    assert.equal(report.steps[0].ok, true, report.steps[0].detail);
    assert.match(report.steps[0].detail, /^Microsoft Graph sendMail; /, 'checked as Graph, not as SMTP');
    assert.equal(report.steps[1]?.name, 'token');
    assert.equal(report.steps[1].ok, false);
    assert.ok(report.steps[1].remedy, 'the failure comes with a remedy');
    assert.doesNotMatch(JSON.stringify(report), /not-a-real-secret/);
    assert.equal((await api()).isAnalyzerLoadedOnHost(), false, 'verified in the analyzer worker');
  });
});
