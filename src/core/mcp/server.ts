/**
 * `mail-oauth-migrate mcp`: a Model Context Protocol server over stdio (the official TypeScript SDK), so an AI
 * agent in the editor can scan, plan a migration, explain an error and generate the Exchange setup. Every tool
 * is read-only: plan_fix returns a unified diff and writes nothing.
 *
 * Bundled on its own (dist/cli-mcp.js, with the SDK and zod). The analyzer comes from the caller: the CLI
 * passes dist/cli-core.js; run directly (`node dist/cli-mcp.js`, as the VS Code extension does) it loads
 * dist/analyzer.js, which the extension ships.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import type { AnalyzerOptions } from '../analyzer';
import type * as Core from '../index';
import { explainText } from '../explain';
import type { Protocol, ScanResult } from '../model';
import { relPath, toJson, toText } from '../report';
import { setupMarkdown, setupScript } from '../setup';

/** What the server needs from the analyzer core (dist/cli-core.js and dist/analyzer.js both have it). */
export type McpCore = Pick<typeof Core, 'Analyzer' | 'planFixes' | 'overlayReader' | 'unifiedDiff'>;

export interface McpOptions {
  version: string;
  loadCore(): McpCore;
  /** Folder relative paths resolve against (default: the process's working directory). */
  cwd?: string;
}

const scanShape = {
  path: z
    .string()
    .optional()
    .describe(
      "File or folder to scan, absolute or relative to the server's working directory (default: the working directory)",
    ),
  extraHosts: z
    .array(z.string())
    .optional()
    .describe('Extra host names to treat as Microsoft mail endpoints (e.g. a CNAME of smtp.office365.com)'),
  exclude: z.array(z.string()).optional().describe('gitignore-style patterns to skip'),
};

const findingShape = z
  .object({
    file: z.string(),
    line: z.number(),
    column: z.number(),
    code: z.string(),
    protocol: z.string(),
    library: z.string(),
    host: z.string().nullable(),
    severity: z.string(),
    message: z.string(),
    fixable: z.boolean(),
    mailbox: z.string().optional(),
  })
  .passthrough();

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

class ToolError extends Error {}

type ToolReply = { content: { type: 'text'; text: string }[]; structuredContent?: Record<string, unknown> };

/** Builds the server with its four tools (exported for tests; `runMcpServer` connects it to stdio). */
export function createMcpServer(options: McpOptions): McpServer {
  const cwd = options.cwd ?? process.cwd();
  const server = new McpServer(
    { name: 'mail-oauth-migrate', version: options.version },
    {
      instructions:
        'Finds Node.js code that logs in to Exchange Online / Outlook.com mail with a password (Basic auth) and plans its rewrite to OAuth2 (XOAUTH2) with @azure/msal-node. Start with scan; plan_fix shows the change as a unified diff (nothing is written: apply it, or run `mail-oauth-migrate fix`); setup gives the Entra and Exchange Online steps; explain decodes an SMTP/IMAP/POP reply, AADSTS or Graph error, or token offline.',
    },
  );

  const scan = async (args: { path?: string; extraHosts?: string[]; exclude?: string[] }) => {
    const target = path.resolve(cwd, args.path ?? '.');
    if (!fs.existsSync(target)) {
      throw new ToolError(`no such file or folder: ${target}`);
    }
    // as the CLI: a folder is its own root; a file is scanned from the working directory (its package.json,
    // .env files and imports are found from there), or from its own folder when it lies outside
    const inside = !path.relative(cwd, target).startsWith('..');
    const root = fs.statSync(target).isDirectory() ? target : inside ? cwd : path.dirname(target);
    const opts: AnalyzerOptions = { extraHosts: args.extraHosts, exclude: args.exclude };
    const analyzer = new (options.loadCore().Analyzer)(root, opts);
    const result: ScanResult = await analyzer.scan([target]);
    return { analyzer, result };
  };

  const guard =
    <A>(fn: (a: A) => ToolReply | Promise<ToolReply>) =>
    async (a: A) => {
      try {
        return await fn(a);
      } catch (e) {
        const message = e instanceof ToolError ? e.message : `internal error: ${(e as Error).message}`;
        return { content: [{ type: 'text' as const, text: message }], isError: true };
      }
    };

  server.registerTool(
    'scan',
    {
      title: 'Scan for password mail logins',
      description:
        "Scans JavaScript/TypeScript code for mail clients (nodemailer, imapflow, imap, emailjs, POP3 libraries, …) that log in to Exchange Online or Outlook.com with a password. Returns the findings as structured JSON (the CLI's JSON contract, version 1): file, line, rule code, protocol, host, severity, the login mailbox when known, and whether an automatic fix exists.",
      inputSchema: scanShape,
      outputSchema: {
        version: z.literal(1),
        root: z.string(),
        findings: z.array(findingShape),
        skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
        stats: z.object({ files: z.number(), parsed: z.number(), durationMs: z.number() }),
      },
      annotations: { title: 'Scan', ...READ_ONLY },
    },
    guard(async (args) => {
      const { result } = await scan(args);
      const report = toJson(result);
      return {
        content: [{ type: 'text', text: `${toText(result)}\n\n${JSON.stringify(report)}` }],
        structuredContent: report as unknown as Record<string, unknown>,
      };
    }),
  );

  server.registerTool(
    'plan_fix',
    {
      title: 'Plan the OAuth2 rewrite (unified diff, writes nothing)',
      description:
        'Plans the rewrite of every password login found under a path to OAuth2 (XOAUTH2) with an @azure/msal-node token provider, and returns it as a unified diff. Nothing is written. Also lists findings left for manual work, password variables the fixed code no longer uses, and the Entra / Exchange steps needed before the new code can log in.',
      inputSchema: {
        ...scanShape,
        flow: z
          .enum(['auto', 'app', 'delegated'])
          .optional()
          .describe('Token flow of the generated provider (default auto)'),
        to: z
          .enum(['xoauth2', 'graph'])
          .optional()
          .describe(
            'xoauth2 (default): OAuth2 on the same protocol. graph: send-only nodemailer transports send through Microsoft Graph sendMail (EWS send code moves to Graph under either)',
          ),
      },
      outputSchema: {
        diff: z.string(),
        files: z.array(z.object({ file: z.string(), create: z.boolean() })),
        fixed: z.number(),
        notFixed: z.array(
          z.object({ file: z.string(), line: z.number(), library: z.string(), reason: z.string() }),
        ),
        unusedEnvVars: z.array(z.string()),
        manualSteps: z.array(z.string()),
      },
      annotations: { title: 'Plan fix', ...READ_ONLY },
    },
    guard(async (args) => {
      const { analyzer, result } = await scan(args);
      const core = options.loadCore();
      const readFile = core.overlayReader((f) => analyzer.textOf(f));
      const plan = core.planFixes(result.findings, { readFile, flow: args.flow ?? 'auto', to: args.to ?? 'xoauth2' });
      const diff = core.unifiedDiff(plan.edits, result.root, readFile);
      const structured = {
        diff,
        files: plan.edits.map((e) => ({ file: relPath(result.root, e.file), create: e.create === true })),
        fixed: plan.fixed.length,
        notFixed: plan.notFixed.map(({ finding, reason }) => ({
          file: relPath(result.root, finding.span.file),
          line: finding.span.line,
          library: finding.library,
          reason,
        })),
        unusedEnvVars: plan.unusedEnvVars,
        manualSteps: plan.manualSteps,
      };
      const summary = result.findings.length
        ? `${plan.fixed.length} of ${result.findings.length} finding(s) can be fixed; ${plan.edits.length} file(s) would change (nothing written).`
        : 'No password logins to Exchange Online / Outlook.com found: nothing to fix.';
      return { content: [{ type: 'text', text: `${summary}\n\n${diff}` }], structuredContent: structured };
    }),
  );

  server.registerTool(
    'explain',
    {
      title: 'Explain an error message or token',
      description:
        'Explains, offline, an SMTP/IMAP/POP server reply (e.g. "535 5.7.139 …", "NO LOGIN failed."), an AADSTS error, a Microsoft Graph error body, a socket/TLS error code, or an access token (decoded locally, never echoed): the cause and the exact remedy.',
      inputSchema: { text: z.string().describe('The pasted message or token') },
      outputSchema: {
        recognised: z.boolean(),
        explained: z.boolean(),
        kind: z.string().optional(),
        facts: z.array(z.string()).optional(),
        detail: z.string().optional(),
        remedy: z.string().optional(),
      },
      annotations: { title: 'Explain', ...READ_ONLY },
    },
    guard(({ text }: { text: string }): ToolReply => {
      const x = explainText(text);
      const structured = x ? { recognised: true, ...x } : { recognised: false, explained: false };
      return {
        content: [
          {
            type: 'text',
            text: x
              ? `${x.facts.join('\n')}\nCause: ${x.detail}\nRemedy: ${x.remedy}`
              : 'Not recognised: pass an SMTP/IMAP/POP reply, an AADSTS error, a Graph error body, a connection error code, or an access token.',
          },
        ],
        structuredContent: structured,
      };
    }),
  );

  server.registerTool(
    'setup',
    {
      title: 'Generate the Entra ID and Exchange Online setup',
      description:
        'Generates the Entra ID checklist (app registration, permissions, admin consent) and the Exchange Online PowerShell (service principal with the Enterprise application Object ID, mailbox permission, Send As, SMTP AUTH) as Markdown. With a path, a scan picks the protocols the code uses. graph adds Microsoft Graph sendMail (Application Mail.Send scoped with RBAC for Applications).',
      inputSchema: {
        path: scanShape.path,
        tenantId: z.string().optional().describe('Directory (tenant) ID'),
        clientId: z.string().optional().describe('Application (client) ID'),
        mailbox: z.string().optional().describe('Mailbox the app logs in to'),
        sendAs: z.array(z.string()).optional().describe('Addresses the app sends as (From)'),
        protocols: z
          .array(z.enum(['smtp', 'imap', 'pop3']))
          .optional()
          .describe('Protocols to cover besides those found'),
        rbac: z
          .boolean()
          .optional()
          .describe('SMTP through Exchange RBAC for Applications instead of SMTP.SendAsApp'),
        graph: z
          .boolean()
          .optional()
          .describe(
            'The code sends through Microsoft Graph sendMail (fix --to graph, or EWS code moved to Graph): Application Mail.Send scoped with RBAC for Applications. Found EWS code turns it on.',
          ),
      },
      outputSchema: { markdown: z.string(), protocols: z.array(z.string()), graph: z.boolean() },
      annotations: { title: 'Setup', ...READ_ONLY },
    },
    guard(
      async (args: {
        path?: string;
        tenantId?: string;
        clientId?: string;
        mailbox?: string;
        sendAs?: string[];
        protocols?: Protocol[];
        rbac?: boolean;
        graph?: boolean;
      }) => {
        const found = args.path ? (await scan({ path: args.path })).result.findings : undefined;
        // EWS findings move to Microsoft Graph (fix rewrites their send path): Graph setup, no mail-protocol setup
        const findings = found?.flatMap((f) => (f.protocol === 'ews' ? [] : [{ protocol: f.protocol, host: f.host, hostKind: f.hostKind }]));
        const graph = args.graph ?? (found ?? []).some((f) => f.protocol === 'ews');
        // the one mailbox the code logs in to, when the scan resolved exactly one
        const mailboxes = [
          ...new Set((found ?? []).flatMap((f) => (f.mailbox ? [f.mailbox.toLowerCase()] : []))),
        ];
        const markdown = setupMarkdown(
          setupScript({
            findings,
            protocols: args.protocols,
            tenantId: args.tenantId,
            clientId: args.clientId,
            mailbox: args.mailbox ?? (mailboxes.length === 1 ? mailboxes[0] : undefined),
            sendAs: args.sendAs,
            rbac: args.rbac,
            graph,
          }),
        );
        const chosen = [...new Set([...(findings ?? []).map((f) => f.protocol), ...(args.protocols ?? [])])];
        // like `setup`: nothing found and nothing asked for covers all three
        const protocols = chosen.length ? chosen : ['smtp', 'imap', 'pop3'];
        return { content: [{ type: 'text', text: markdown }], structuredContent: { markdown, protocols, graph } };
      },
    ),
  );
  return server;
}

/** Serves the tools over stdio until the client closes the connection. */
export async function runMcpServer(options: McpOptions): Promise<void> {
  const server = createMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  // stdin ending (the client went away) ends the server too
  process.stdin.once('end', () => void server.close());
  await closed;
}
