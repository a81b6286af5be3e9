/**
 * Registers the MCP server (dist/cli-mcp.js: scan, plan_fix, explain, setup) for VS Code's agent mode, where
 * the API exists (VS Code 1.101+: `lm.registerMcpServerDefinitionProvider`; the extension supports 1.100, so
 * it is looked up at run time). The server runs on VS Code's own Node.js in the first workspace folder.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

export const MCP_PROVIDER_ID = 'mailOAuth.mcp';

interface StdioDefinition {
  cwd?: vscode.Uri;
}
type StdioDefinitionClass = new (
  label: string,
  command: string,
  args?: string[],
  env?: Record<string, string | number | null>,
  version?: string,
) => StdioDefinition;
interface McpLm {
  registerMcpServerDefinitionProvider?: (
    id: string,
    provider: {
      onDidChangeMcpServerDefinitions?: vscode.Event<void>;
      provideMcpServerDefinitions(token: vscode.CancellationToken): StdioDefinition[];
    },
  ) => vscode.Disposable;
}

/** The server definitions the provider gives (for the test API), while it is registered. */
export let mcpDefinitions:
  | (() => { label: string; command: string; args: string[]; env: Record<string, string> }[])
  | undefined;

/** Registers the provider; returns what to dispose, or nothing when this VS Code has no MCP API. */
export function registerMcpServer(extensionPath: string, version: string): vscode.Disposable[] {
  const lm = (vscode as unknown as { lm?: McpLm }).lm;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: StdioDefinitionClass })
    .McpStdioServerDefinition;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || !Definition) {
    return [];
  }
  const changed = new vscode.EventEmitter<void>();
  const provider = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: (): StdioDefinition[] => {
      const server = new Definition(
        'Mail OAuth Migrator',
        process.execPath,
        [path.join(extensionPath, 'dist', 'cli-mcp.js')],
        // the extension host's executable is Electron: run it as plain Node.js
        { ELECTRON_RUN_AS_NODE: '1', MAIL_OAUTH_VERSION: version },
        version,
      );
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (folder?.uri.scheme === 'file') {
        server.cwd = folder.uri;
      }
      return [server];
    },
  };
  mcpDefinitions = () =>
    provider
      .provideMcpServerDefinitions()
      .map(
        (d) =>
          d as unknown as { label: string; command: string; args: string[]; env: Record<string, string> },
      );
  return [
    changed,
    new vscode.Disposable(() => (mcpDefinitions = undefined)),
    lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider),
    vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()),
  ];
}
