/**
 * `mail-oauth-migrate verify`: command-line front end of verify().
 * The secret comes only from the environment or a .env file in the current folder, never a flag.
 * Exit codes: 0 every step passed, 1 a step failed, 2 usage error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseDotenv } from 'dotenv';
import {
  DEFAULT_HOSTS,
  DEFAULT_PORTS,
  defaultTls,
  formatReportText,
  verify,
  type Flow,
  type TlsMode,
  type VerifyDeps,
  type VerifyInput,
  type VerifyReport,
} from './index';
import { verifyGraph } from './graph';
import { Redactor } from './redact';

export const VERIFY_USAGE = `Usage: mail-oauth-migrate verify --protocol smtp|imap|pop3|graph --user MAILBOX [options]

Checks an app registration end to end: configuration, token (MSAL), token claims, TCP + TLS,
XOAUTH2 login, (SMTP) MAIL FROM + RSET without sending, and logout. Every failed step says why
and how to fix it.

Options:
  --protocol smtp|imap|pop3|graph
                              Protocol to test (required); graph: Microsoft Graph sendMail (fix --to graph):
                              token for Graph, Mail.Send as role or scope, and the permission to send as the
                              mailbox, checked without sending
  --send-test TO              graph: send a real test message to TO instead
  --graph-endpoint URL        graph: Graph address (default: MAIL_OAUTH_GRAPH_ENDPOINT, else the cloud's)
  --host HOST                 Mail server (default: smtp.office365.com / outlook.office365.com)
  --port PORT                 Default: smtp 587, imap 993, pop3 995
  --tls implicit|starttls     Default from the port: 465/993/995 implicit, otherwise STARTTLS
  --user MAILBOX              Mailbox to log in to (default: MAIL_OAUTH_USER)
  --from ADDRESS              SMTP: sender to test with MAIL FROM (default: the mailbox)
  --flow app|delegated        Client credentials (default) or device code sign-in (default: MAIL_OAUTH_FLOW)
  --tenant ID                 Directory (tenant) ID (default: MAIL_OAUTH_TENANT_ID)
  --client-id ID              Application (client) ID (default: MAIL_OAUTH_CLIENT_ID)
  --authority URL             Authority override (default: MAIL_OAUTH_AUTHORITY)
  --servername NAME           TLS server name when it differs from the host
  --ca FILE                   Extra CA certificate (PEM) to trust for the mail server
  --resource URL              Token resource override (default: from the host's cloud)
  --timeout DURATION          Per network operation: 20 (seconds), 20s, 500ms (default 20s)
  --format text|json          Output format (default: text)

Credentials come from the environment or a .env file in the current folder, never from flags:
  MAIL_OAUTH_CLIENT_SECRET, or MAIL_OAUTH_CERTIFICATE_PATH + MAIL_OAUTH_CERTIFICATE_THUMBPRINT.

Exit codes: 0 all checks passed, 1 a check failed, 2 usage error.
`;

/** Where the command reads and writes; tests and the main CLI may substitute parts. */
export interface CommandIo {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  deps?: VerifyDeps;
}

class UsageError extends Error {}

const SECRET_FLAGS = [
  '--secret',
  '--client-secret',
  '--clientsecret',
  '--password',
  '--pass',
  '--token',
  '--access-token',
  '--certificate-password',
];

/** Environment merged with ./.env (real environment variables win, as with dotenv). */
export function loadEnv(env: NodeJS.ProcessEnv, cwd: string): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseDotenv(fs.readFileSync(path.join(cwd, '.env')));
  } catch {
    /* no .env */
  }
  const out: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && v !== '') {
      out[k] = v;
    }
  }
  return out;
}

/**
 * The parts of a verify input the generated provider's environment variables give: MAIL_OAUTH_TENANT_ID,
 * MAIL_OAUTH_CLIENT_ID, MAIL_OAUTH_AUTHORITY, MAIL_OAUTH_FLOW, MAIL_OAUTH_USER, and the credential
 * (MAIL_OAUTH_CLIENT_SECRET, or MAIL_OAUTH_CERTIFICATE_PATH + MAIL_OAUTH_CERTIFICATE_THUMBPRINT).
 */
export function verifyInputFromEnv(env: Record<string, string | undefined>): Partial<VerifyInput> {
  const v = (k: string): string | undefined => (env[k] && env[k].trim() ? env[k].trim() : undefined);
  const flow = v('MAIL_OAUTH_FLOW');
  const certPath = v('MAIL_OAUTH_CERTIFICATE_PATH');
  return {
    tenantId: v('MAIL_OAUTH_TENANT_ID'),
    clientId: v('MAIL_OAUTH_CLIENT_ID'),
    authority: v('MAIL_OAUTH_AUTHORITY'),
    flow: flow === 'app' || flow === 'delegated' ? flow : undefined,
    user: v('MAIL_OAUTH_USER'),
    clientSecret: v('MAIL_OAUTH_CLIENT_SECRET'),
    certificate: certPath
      ? { path: certPath, thumbprint: v('MAIL_OAUTH_CERTIFICATE_THUMBPRINT') ?? '' }
      : undefined,
  };
}

/** Parses 20, 20s, 500ms, 2m into milliseconds. */
export function parseTimeout(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i.exec(s.trim());
  if (!m) {
    throw new UsageError(`--timeout: cannot read "${s}" (use seconds, or e.g. 20s, 500ms)`);
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0) {
    throw new UsageError('--timeout must be positive');
  }
  return Math.round(ms);
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be ${allowed.join(' or ')} (got "${value}")`);
  }
  return value as T;
}

/** Builds the verify input from flags and environment; throws UsageError for bad flags. */
export function verifyInputFromArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): { input: VerifyInput; format: 'text' | 'json'; help: boolean } {
  for (const a of argv) {
    const name = a.split('=')[0].toLowerCase();
    if (SECRET_FLAGS.includes(name)) {
      throw new UsageError(
        `${name} is not accepted: a secret on the command line ends up in shell history and process lists. Set MAIL_OAUTH_CLIENT_SECRET (or MAIL_OAUTH_CERTIFICATE_PATH and MAIL_OAUTH_CERTIFICATE_THUMBPRINT) in the environment or in a .env file in the current folder.`,
      );
    }
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      protocol: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      tls: { type: 'string' },
      user: { type: 'string' },
      from: { type: 'string' },
      flow: { type: 'string' },
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      authority: { type: 'string' },
      servername: { type: 'string' },
      ca: { type: 'string' },
      resource: { type: 'string' },
      timeout: { type: 'string' },
      format: { type: 'string', default: 'text' },
      'send-test': { type: 'string' },
      'graph-endpoint': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const format = oneOf('--format', values.format, ['text', 'json'] as const) ?? 'text';
  if (values.help) {
    return { input: { protocol: 'smtp' }, format, help: true };
  }
  if (positionals.length) {
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  }
  const named = oneOf('--protocol', values.protocol, ['smtp', 'imap', 'pop3', 'graph'] as const);
  if (!named) {
    throw new UsageError('--protocol is required (smtp, imap, pop3 or graph)');
  }
  if (named !== 'graph' && (values['send-test'] || values['graph-endpoint'])) {
    throw new UsageError('--send-test and --graph-endpoint go with --protocol graph');
  }
  // Graph sendMail is checked with the SMTP configuration (host → cloud, mailbox) by verify/graph.ts
  const protocol = named === 'graph' ? 'smtp' : named;
  const graph =
    named === 'graph'
      ? { endpoint: values['graph-endpoint'] ?? (env.MAIL_OAUTH_GRAPH_ENDPOINT || undefined), sendTest: values['send-test'] }
      : undefined;
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) {
      throw new UsageError(`--port must be a number from 1 to 65535 (got "${values.port}")`);
    }
  }
  const tls = oneOf<TlsMode>('--tls', values.tls, ['implicit', 'starttls']);
  const flowFlag = oneOf<Flow>('--flow', values.flow, ['app', 'delegated']);
  let ca: string | undefined;
  if (values.ca) {
    try {
      ca = fs.readFileSync(values.ca, 'utf8');
    } catch (e) {
      throw new UsageError(
        `--ca: cannot read ${values.ca} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const fromEnv = verifyInputFromEnv(env);
  const input: VerifyInput = {
    ...fromEnv,
    protocol,
    host: values.host,
    port,
    tls,
    user: values.user ?? fromEnv.user,
    from: values.from,
    flow: flowFlag ?? fromEnv.flow,
    tenantId: values.tenant ?? fromEnv.tenantId,
    clientId: values['client-id'] ?? fromEnv.clientId,
    authority: values.authority ?? fromEnv.authority,
    servername: values.servername,
    ca,
    resource: values.resource,
    timeoutMs: values.timeout !== undefined ? parseTimeout(values.timeout) : undefined,
    graph,
  };
  return { input, format, help: false };
}

/** JSON shape of the report: every step has name, ok, detail and remedy (null when none). */
export function reportToJson(report: VerifyReport): {
  ok: boolean;
  steps: { name: string; ok: boolean; detail: string; remedy: string | null }[];
} {
  return {
    ok: report.ok,
    steps: report.steps.map((s) => ({ name: s.name, ok: s.ok, detail: s.detail, remedy: s.remedy ?? null })),
  };
}

/** `verify` command: returns the exit code (0 all passed, 1 a step failed, 2 usage error). */
export async function verifyCommand(argv: string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((s: string): void => void process.stdout.write(s));
  const err = io.stderr ?? ((s: string): void => void process.stderr.write(s));
  const env = loadEnv(io.env ?? process.env, io.cwd ?? process.cwd());
  // Last line of defence: whatever is printed is masked against the configured secret too.
  const redactor = new Redactor();
  redactor.add(env.MAIL_OAUTH_CLIENT_SECRET);
  const safeOut = (s: string): void => out(redactor.mask(s));
  const safeErr = (s: string): void => err(redactor.mask(s));

  let parsed: ReturnType<typeof verifyInputFromArgs>;
  try {
    parsed = verifyInputFromArgs(argv, env);
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      safeErr(`mail-oauth-migrate verify: ${(e as Error).message}\n\n${VERIFY_USAGE}`);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    safeOut(VERIFY_USAGE);
    return 0;
  }
  const { input, format } = parsed;
  if (input.certificate?.path) {
    input.certificate.path = path.resolve(io.cwd ?? process.cwd(), input.certificate.path);
  }
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const color = format === 'text' && !!process.stdout.isTTY && io.stdout === undefined;
  if (format === 'text' && input.graph) {
    safeErr(`Verifying Microsoft Graph sendMail for ${input.user ?? '(no mailbox)'}…\n`);
  } else if (format === 'text') {
    const port = input.port ?? DEFAULT_PORTS[input.protocol];
    safeErr(
      `Verifying ${input.protocol} ${input.host ?? DEFAULT_HOSTS[input.protocol]}:${port} (${(input.tls ?? defaultTls(port)) === 'implicit' ? 'implicit TLS' : 'STARTTLS'}) for ${input.user ?? '(no mailbox)'}…\n`,
    );
  }
  let report: VerifyReport;
  try {
    report = await (input.graph ? verifyGraph : verify)(input, {
      signal: controller.signal,
      deviceCodeCallback: (info) => safeErr(`\n${info.message}\n\n`),
      ...io.deps,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (format === 'json') {
    safeOut(`${JSON.stringify(reportToJson(report), null, 2)}\n`);
  } else {
    safeOut(`${formatReportText(report, { color })}\n`);
  }
  return report.ok ? 0 : 1;
}
