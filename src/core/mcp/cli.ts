/**
 * `mail-oauth-migrate mcp` (src/cli.ts passes dist/cli-core.js as the core), and the entry of
 * `node dist/cli-mcp.js` that the VS Code extension registers for agent mode (core: dist/analyzer.js).
 * stdout carries the protocol: nothing else may be written there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runMcpServer, type McpCore } from './server';

export const MCP_USAGE = `Usage: mail-oauth-migrate mcp

Serves the Model Context Protocol over stdio for AI agents (VS Code agent mode, Claude, Cursor, …). Tools:
  scan      findings under a path as structured JSON (the scan's JSON contract)
  plan_fix  the OAuth2 rewrite as a unified diff (writes nothing)
  explain   an SMTP/IMAP/POP reply, AADSTS or Graph error, or token, explained offline
  setup     the Entra ID checklist and Exchange Online PowerShell as Markdown
Relative paths resolve against the working directory the client starts the server in.

Example client configuration (.vscode/mcp.json):
  { "servers": { "mail-oauth": { "type": "stdio", "command": "npx", "args": ["mail-oauth-migrate", "mcp"] } } }
`;

export async function mcpCommand(
  argv: string[],
  deps: { version: string; loadCore(): McpCore },
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(MCP_USAGE);
    return 0;
  }
  if (argv.length) {
    process.stderr.write(`mail-oauth-migrate mcp: unexpected argument "${argv[0]}"\n\n${MCP_USAGE}`);
    return 2;
  }
  await runMcpServer(deps);
  return 0;
}

if (require.main === module) {
  // Standalone (the extension's registration): the core next to this file, dist/analyzer.js in the VSIX.
  const core = ['analyzer.js', 'cli-core.js']
    .map((f) => path.join(__dirname, f))
    .find((f) => fs.existsSync(f));
  const req = require;
  mcpCommand(process.argv.slice(2), {
    version: process.env.MAIL_OAUTH_VERSION ?? '0.1.0',
    loadCore: () => req(core ?? path.join(__dirname, 'analyzer.js')) as McpCore,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mail-oauth-migrate mcp: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
