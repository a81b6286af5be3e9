/**
 * The MCP server (`mail-oauth-migrate mcp`), driven by the official SDK's client over stdio against the bundled
 * CLI, and standalone (`node dist/cli-mcp.js`, as the VS Code extension starts it).
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const REPO = path.resolve(__dirname, '../..');
const WS = path.join(REPO, 'test/fixtures/inventory/workspace');

type ToolResult = {
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

async function connect(args: string[]): Promise<Client> {
  const client = new Client({ name: 'mail-oauth-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args, cwd: WS, stderr: 'pipe' }),
  );
  return client;
}

/** A digest of every file under a folder: plan_fix must leave it unchanged. */
function digest(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        h.update(p).update(fs.readFileSync(p));
      }
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('MCP server (mail-oauth-migrate mcp, SDK client over stdio)', function () {
  this.timeout(120000);
  let client: Client;
  before(async function () {
    if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) {
      throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
    }
    client = await connect([path.join(REPO, 'dist/cli.js'), 'mcp']);
  });
  after(async () => {
    await client?.close();
  });

  it('lists the four read-only tools with their schemas', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['explain', 'plan_fix', 'scan', 'setup']);
    for (const t of tools) {
      assert.equal(t.annotations?.readOnlyHint, true, t.name);
      assert.ok(t.outputSchema, `${t.name} has an output schema`);
      assert.ok(t.description && t.description.length > 40);
    }
    assert.deepEqual(tools.find((t) => t.name === 'plan_fix')?.inputSchema.properties?.flow, {
      type: 'string',
      enum: ['auto', 'app', 'delegated'],
      description: 'Token flow of the generated provider (default auto)',
    });
  });

  it('scan returns the findings as structured JSON (relative paths resolve against the working directory)', async () => {
    const r = (await client.callTool({ name: 'scan', arguments: { path: 'packages' } })) as ToolResult;
    assert.ok(!r.isError, JSON.stringify(r.content));
    const s = r.structuredContent as {
      version: number;
      findings: { file: string; code: string; mailbox?: string }[];
    };
    assert.equal(s.version, 1);
    assert.deepEqual(
      s.findings.map((f) => [f.file, f.code, f.mailbox ?? null]),
      [
        ['api/src/mailer.js', 'nodemailer-password-auth', 'NoReply@Contoso.com'],
        ['archive/pop.js', 'node-pop3-password-auth', 'archive@contoso.com'],
        ['notify/src/send.js', 'nodemailer-password-auth', 'alerts@contoso.com'],
        ['unknown/index.js', 'nodemailer-password-auth', null],
        ['worker/src/inbox.ts', 'imapflow-password-auth', 'support@contoso.com'],
      ],
    );
    assert.match(r.content[0].text ?? '', /5 finding\(s\)/);
  });

  it('plan_fix returns a unified diff and writes nothing', async () => {
    const before = digest(WS);
    const r = (await client.callTool({
      name: 'plan_fix',
      arguments: { path: 'packages/api' },
    })) as ToolResult;
    assert.ok(!r.isError, JSON.stringify(r.content));
    const s = r.structuredContent as {
      diff: string;
      files: { file: string; create: boolean }[];
      fixed: number;
      manualSteps: string[];
    };
    assert.equal(s.fixed, 1);
    assert.match(s.diff, /^--- a\/src\/mailer\.js$/m);
    assert.match(s.diff, /^-.*pass: process\.env\.SMTP_PASS/m);
    assert.match(s.diff, /^\+.*OAuth2/m);
    assert.ok(s.files.some((f) => f.file === 'src/mailer.js' && !f.create));
    assert.ok(s.manualSteps.length > 0);
    assert.equal(digest(WS), before, 'plan_fix wrote nothing');
  });

  it('plan_fix to: graph plans the Microsoft Graph transport; setup graph adds Application Mail.Send', async () => {
    const before = digest(WS);
    const r = (await client.callTool({ name: 'plan_fix', arguments: { path: 'packages/api', to: 'graph' } })) as ToolResult;
    assert.ok(!r.isError, JSON.stringify(r.content));
    const s = r.structuredContent as { diff: string; fixed: number; manualSteps: string[] };
    assert.equal(s.fixed, 1);
    assert.match(s.diff, /^\+.*graphTransport\(/m);
    assert.ok(s.manualSteps.some((m) => /-Role "Application Mail\.Send"/.test(m)));
    assert.equal(digest(WS), before, 'plan_fix wrote nothing');
    const setup = (await client.callTool({ name: 'setup', arguments: { path: 'packages/api', graph: true, mailbox: 'noreply@contoso.com' } })) as ToolResult;
    assert.equal(setup.structuredContent?.graph, true);
    const md = String(setup.structuredContent?.markdown);
    assert.match(md, /New-ManagementRoleAssignment -App \$ServicePrincipalObjectId -Role 'Application Mail\.Send'/);
    assert.match(md, /PrimarySmtpAddress -eq 'noreply@contoso\.com'/);
    assert.doesNotMatch(md, /Connect-ExchangeOnline[^\n]*-Credential/);
    const plain = (await client.callTool({ name: 'setup', arguments: { path: 'packages/api' } })) as ToolResult;
    assert.equal(plain.structuredContent?.graph, false);
    assert.doesNotMatch(String(plain.structuredContent?.markdown), /Application Mail\.Send/);
  });

  it('explain and setup', async () => {
    const x = (await client.callTool({
      name: 'explain',
      arguments: { text: '535 5.7.139 Authentication unsuccessful, basic authentication is disabled.' },
    })) as ToolResult;
    assert.equal(x.structuredContent?.kind, 'smtp');
    assert.match(String(x.structuredContent?.remedy), /mail-oauth-migrate fix/);
    const none = (await client.callTool({ name: 'explain', arguments: { text: 'hello' } })) as ToolResult;
    assert.equal(none.structuredContent?.recognised, false);
    const setup = (await client.callTool({
      name: 'setup',
      arguments: {
        path: 'packages/worker',
        tenantId: '11111111-2222-3333-4444-555555555555',
        mailbox: 'support@contoso.com',
      },
    })) as ToolResult;
    assert.deepEqual(setup.structuredContent?.protocols, ['imap']);
    assert.match(String(setup.structuredContent?.markdown), /IMAP\.AccessAsApp/);
    assert.match(String(setup.structuredContent?.markdown), /New-ServicePrincipal/);
    // without a mailbox argument, the one the code logs in to (packages/archive: archive@contoso.com)
    const archive = (await client.callTool({
      name: 'setup',
      arguments: { path: 'packages/archive' },
    })) as ToolResult;
    assert.match(
      String(archive.structuredContent?.markdown),
      /Mailbox: `archive@contoso\.com`[\s\S]*\$Mailbox += 'archive@contoso\.com'/,
    );
  });

  it('reports bad input as a tool error, not a crash', async () => {
    const r = (await client.callTool({ name: 'scan', arguments: { path: 'no/such/folder' } })) as ToolResult;
    assert.equal(r.isError, true);
    assert.match(r.content[0].text ?? '', /no such file or folder/);
    // the server is still serving
    assert.equal((await client.listTools()).tools.length, 4);
  });

  it('runs standalone as the extension starts it (node dist/cli-mcp.js, core from dist/analyzer.js)', async () => {
    const standalone = await connect([path.join(REPO, 'dist/cli-mcp.js')]);
    try {
      const r = (await standalone.callTool({
        name: 'scan',
        arguments: { path: 'packages/archive' },
      })) as ToolResult;
      assert.deepEqual(
        (r.structuredContent as { findings: { code: string }[] }).findings.map((f) => f.code),
        ['node-pop3-password-auth'],
      );
    } finally {
      await standalone.close();
    }
  });
});
