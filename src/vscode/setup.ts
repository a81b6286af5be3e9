/**
 * `mailOAuth.showSetup` (the Entra / Exchange checklist and PowerShell script for the findings) and
 * `mailOAuth.verifySetup` (sign in and open an XOAUTH2 session, step by step). Both run in an analyzer worker
 * (the first folder's, or a short-lived one without a folder): the extension host thread never loads the
 * core for them. They fall back to the walkthrough when the core does not have them. Verification signs in and connects to
 * Microsoft, so it needs a trusted workspace. The client secret lives in VS Code's SecretStorage (asked for once,
 * never written to a file, never logged); the extension host's MAIL_OAUTH_CLIENT_SECRET is used when set.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding, Protocol } from '../core/model';
import { type AnalyzerProxy, createAnalyzer } from './analyzer-client';
import type { VerifyReportResult } from './core';
import type { FolderContext } from './folders';

export interface SetupHost {
  log: vscode.LogOutputChannel;
  /** Where the client secret is kept between verifications (the OS keychain behind VS Code). */
  secrets?: vscode.SecretStorage;
  /** Findings shown (severity not off). */
  visibleFindings(): Finding[];
  /** The first workspace folder's context (dotenv lookups), if any. */
  primaryFolder(): FolderContext | undefined;
  openWalkthrough(step: string): void;
}

/**
 * Verification input given by a caller (tests, automation): skips every prompt. `graph` checks Microsoft Graph
 * sendMail (like `verify --protocol graph`): `endpoint` (MAIL_OAUTH_GRAPH_ENDPOINT), `sendTest` (send one message).
 */
export type VerifyArgs = Record<string, unknown> & { protocol: Protocol; graph?: { endpoint?: string; sendTest?: string } };

/** `mailOAuth.showSetup` arguments (tests, automation): `graph` adds Microsoft Graph sendMail without asking. */
export interface SetupArgs {
  graph?: boolean;
}

/** One stored secret per app registration (client id). */
function secretKeyFor(clientId: string | undefined): string {
  return `mailOAuth.clientSecret:${clientId ?? 'default'}`;
}

/** `mailOAuth.forgetClientSecret`: removes the secret stored for the configured app registration. */
export async function forgetClientSecret(host: SetupHost): Promise<void> {
  const clientId = await configValue(host, 'MAIL_OAUTH_CLIENT_ID');
  await host.secrets?.delete(secretKeyFor(clientId));
  void vscode.window.showInformationMessage(vscode.l10n.t('The stored client secret was removed.'));
}

const PROTOCOL_LABEL: Record<Protocol, string> = { smtp: 'SMTP AUTH', imap: 'IMAP', pop3: 'POP3' };
const GRAPH_LABEL = 'Microsoft Graph sendMail';

/** A MAIL_OAUTH_* value: the extension host's environment, else a non-template dotenv file of the first folder. */
async function configValue(host: SetupHost, name: string): Promise<string | undefined> {
  const fromProcess = process.env[name];
  if (fromProcess) {
    return fromProcess;
  }
  const ctx = host.primaryFolder();
  if (!ctx) {
    return undefined;
  }
  const analyzer = await ctx.getAnalyzer();
  const hit = await analyzer.envLookup(name, path.join(ctx.root, '__mail_oauth__.js'), ctx.root);
  return hit && !hit.template && hit.value ? hit.value : undefined;
}

export async function showSetup(host: SetupHost, args?: SetupArgs): Promise<string | undefined> {
  const visible = host.visibleFindings();
  const graph = args?.graph ?? (await askGraphSetup(visible));
  if (graph === undefined) {
    return undefined;
  }
  // EWS findings move to Microsoft Graph (the fix rewrites their send path): no mail-protocol setup for them
  const findings = visible.flatMap((f) => (f.protocol === 'ews' ? [] : [{ protocol: f.protocol, host: f.host, hostKind: f.hostKind }]));
  const input = {
    findings,
    graph,
    tenantId: await configValue(host, 'MAIL_OAUTH_TENANT_ID'),
    clientId: await configValue(host, 'MAIL_OAUTH_CLIENT_ID'),
  };
  const markdown = await withCoreWorker(host, (a) => a.setupMarkdown(input));
  if (!markdown) {
    host.openWalkthrough('register');
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(doc, { preview: false });
  return markdown;
}

/**
 * Whether the setup covers Microsoft Graph sendMail (`setup --graph`): asked when the code sends over SMTP (it can
 * move with "Migrate to Microsoft Graph"); EWS code only moves to Graph. Undefined: the user cancelled.
 */
async function askGraphSetup(findings: Finding[]): Promise<boolean | undefined> {
  const ews = findings.some((f) => f.protocol === 'ews');
  if (!findings.some((f) => f.protocol === 'smtp')) {
    return ews;
  }
  const pick = await vscode.window.showQuickPick(
    [
      {
        label: vscode.l10n.t('SMTP AUTH with OAuth2 (XOAUTH2)'),
        description: vscode.l10n.t('Migrate to OAuth2 (XOAUTH2)'),
        graph: ews,
      },
      {
        label: vscode.l10n.t('Microsoft Graph sendMail'),
        description: vscode.l10n.t('Migrate to Microsoft Graph (sendMail)'),
        graph: true,
      },
    ],
    { title: vscode.l10n.t('Setup: how does the code send mail after the migration?'), ignoreFocusOut: true },
  );
  return pick?.graph;
}

/**
 * Runs `use` in the first folder's analyzer worker, or, without a folder, in a worker started for it and
 * ended after: either way off the extension host thread.
 */
async function withCoreWorker<T>(host: SetupHost, use: (a: AnalyzerProxy) => Promise<T>): Promise<T> {
  const ctx = host.primaryFolder();
  if (ctx) {
    return use(await ctx.getAnalyzer());
  }
  const temporary = createAnalyzer(os.tmpdir(), {});
  try {
    await temporary.ready();
    return await use(temporary);
  } finally {
    temporary.dispose();
  }
}

export async function verifySetup(
  host: SetupHost,
  args?: VerifyArgs,
): Promise<VerifyReportResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Verifying the setup signs in and connects to Microsoft: trust this workspace first.'),
    );
    return undefined;
  }
  const input = args ?? (await askVerifyInput(host));
  if (!input) {
    return undefined;
  }
  const outcome = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Verifying the OAuth2 setup'),
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await withCoreWorker(host, (a) =>
          a.verify(input, {
            signal: abort.signal,
            onEvent: (e) => {
              if (e.kind === 'step') {
                progress.report({ message: e.title });
                return;
              }
              const open = vscode.l10n.t('Copy Code and Open Browser');
              void vscode.window.showInformationMessage(e.message, open).then(async (c) => {
                if (c === open) {
                  await vscode.env.clipboard.writeText(e.userCode);
                  await vscode.env.openExternal(vscode.Uri.parse(e.verificationUri));
                }
              });
            },
          }),
        );
      } catch (e) {
        if (e instanceof Error && e.name === 'AbortError') {
          return 'cancelled' as const;
        }
        throw e;
      } finally {
        sub.dispose();
      }
    },
  );
  if (outcome === 'cancelled') {
    return undefined;
  }
  if (!outcome) {
    const open = vscode.l10n.t('Open Walkthrough');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          'Setup verification: coming soon. Until then, follow the steps of the migration walkthrough.',
        ),
        open,
      )
      .then((c) => {
        if (c === open) {
          host.openWalkthrough('verify');
        }
      });
    return undefined;
  }
  const { report, titles } = outcome;
  // The core's report never contains a secret, a token or a SASL string.
  const text =
    outcome.text ||
    report.steps
      .map(
        (s) =>
          `${s.ok ? 'ok  ' : 'FAIL'} ${titles[s.name] ?? s.name}: ${s.detail}${s.remedy ? `\n     → ${s.remedy}` : ''}`,
      )
      .join('\n');
  const label = input.graph ? GRAPH_LABEL : PROTOCOL_LABEL[input.protocol];
  host.log.info(`setup verification (${label}):\n${text}`);
  const show = vscode.l10n.t('Show Report');
  const failed = report.steps.find((s) => !s.ok);
  const message = report.ok
    ? input.graph
      ? vscode.l10n.t('OAuth2 setup verified for {0}: token and send permission are fine.', label)
      : vscode.l10n.t('OAuth2 setup verified for {0}: token, permissions and XOAUTH2 login are fine.', label)
    : vscode.l10n.t(
        'OAuth2 setup check failed at "{0}": {1}',
        titles[failed?.name ?? ''] ?? failed?.name ?? '?',
        failed?.remedy ?? failed?.detail ?? '',
      );
  const shown = report.ok
    ? vscode.window.showInformationMessage(message, show)
    : vscode.window.showWarningMessage(message, show);
  void shown.then((c) => {
    if (c === show) {
      host.log.show(true);
    }
  });
  return report;
}

async function askVerifyInput(host: SetupHost): Promise<VerifyArgs | undefined> {
  const visible = host.visibleFindings();
  const seen = [...new Set(visible.flatMap((f) => (f.protocol === 'ews' ? [] : [f.protocol])))];
  const order: Protocol[] = [
    ...seen,
    ...(['smtp', 'imap', 'pop3'] as Protocol[]).filter((p) => !seen.includes(p)),
  ];
  const items: { label: string; description?: string; detail?: string; protocol: Protocol; graph?: boolean }[] = order.map((p) => ({
    label: PROTOCOL_LABEL[p],
    description: seen.includes(p) ? vscode.l10n.t('used in this workspace') : undefined,
    protocol: p,
  }));
  // like `verify --protocol graph`: the code that sends through Graph after "Migrate to Microsoft Graph" (or from EWS)
  const graphItem = {
    label: GRAPH_LABEL,
    description: visible.some((f) => f.protocol === 'ews') ? vscode.l10n.t('used in this workspace') : undefined,
    detail: vscode.l10n.t('Token for Microsoft Graph, Mail.Send, and the permission to send as the mailbox (nothing is sent unless you ask)'),
    protocol: 'smtp' as Protocol,
    graph: true,
  };
  const ewsOnly = !seen.length && !!graphItem.description;
  const pick = await vscode.window.showQuickPick(ewsOnly ? [graphItem, ...items] : [...items, graphItem], {
    title: vscode.l10n.t('Verify the OAuth2 setup: protocol'),
    ignoreFocusOut: true,
  });
  if (!pick) {
    return undefined;
  }
  const user = await vscode.window.showInputBox({
    title: vscode.l10n.t('Verify the OAuth2 setup: mailbox'),
    prompt: pick.graph
      ? vscode.l10n.t('The mailbox the app sends as (Graph: /users/<mailbox>/sendMail).')
      : vscode.l10n.t('The mailbox the app logs in to (the XOAUTH2 user).'),
    placeHolder: 'mailbox@contoso.com',
    ignoreFocusOut: true,
    validateInput: (v) =>
      /^[^@\s]+@[^@\s]+$/.test(v.trim()) ? undefined : vscode.l10n.t('An e-mail address'),
  });
  if (!user) {
    return undefined;
  }
  const env = async (n: string): Promise<string | undefined> => configValue(host, n);
  const input: VerifyArgs = { protocol: pick.protocol, user: user.trim() };
  if (pick.graph) {
    const sendTest = await vscode.window.showInputBox({
      title: vscode.l10n.t('Verify Microsoft Graph sendMail: test message'),
      prompt: vscode.l10n.t('Send one test message to this address, or leave empty to check the permission without sending.'),
      placeHolder: 'someone@contoso.com',
      ignoreFocusOut: true,
      validateInput: (v) =>
        !v.trim() || /^[^@\s]+@[^@\s]+$/.test(v.trim()) ? undefined : vscode.l10n.t('An e-mail address'),
    });
    if (sendTest === undefined) {
      return undefined;
    }
    input.graph = { endpoint: await env('MAIL_OAUTH_GRAPH_ENDPOINT'), sendTest: sendTest.trim() || undefined };
  }
  const tenantId = await env('MAIL_OAUTH_TENANT_ID');
  const clientId = await env('MAIL_OAUTH_CLIENT_ID');
  const flow = await env('MAIL_OAUTH_FLOW');
  const authority = await env('MAIL_OAUTH_AUTHORITY');
  const certPath = await env('MAIL_OAUTH_CERTIFICATE_PATH');
  const thumbprint = await env('MAIL_OAUTH_CERTIFICATE_THUMBPRINT');
  const secretKey = secretKeyFor(clientId);
  let secret = process.env.MAIL_OAUTH_CLIENT_SECRET || (await host.secrets?.get(secretKey));
  Object.assign(input, {
    tenantId,
    clientId,
    authority,
    flow: flow === 'app' || flow === 'delegated' ? flow : undefined,
  });
  if (certPath && thumbprint) {
    input.certificate = { path: certPath, thumbprint };
  } else if (!secret && flow !== 'delegated') {
    secret = await vscode.window.showInputBox({
      title: vscode.l10n.t('Verify the OAuth2 setup: client secret'),
      prompt: vscode.l10n.t(
        'Enter the client secret VALUE. It is kept in the VS Code Secret Storage, never in a file (Mail OAuth: Forget Stored Client Secret removes it).',
      ),
      password: true,
      ignoreFocusOut: true,
    });
    if (secret && host.secrets) {
      await host.secrets.store(secretKey, secret);
    }
  }
  if (secret) {
    input.clientSecret = secret;
  }
  return input;
}
