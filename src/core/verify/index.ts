/**
 * `verify`: proves an app registration end to end for one mailbox and protocol, the way the
 * generated token provider will use it: configuration → token (MSAL) → claims → TCP+TLS →
 * XOAUTH2 login → (SMTP) MAIL FROM + RSET → logout. Every failed step says why and what to do.
 * No secret, token or SASL string ever appears in the report (see redact.ts).
 */
import * as fs from 'node:fs';
import type { Protocol } from '../model';
import { checkClaims, isGuid, type ClaimProblem, type Flow } from './claims';
import {
  explainAuthFailure,
  explainMailFromFailure,
  explainNetworkError,
  explainTokenError,
  needsAuthorityProbe,
  oneLine,
  type Explanation,
} from './explain';
import { createSession, xoauth2, type MailSession } from './mail';
import { Redactor } from './redact';
import {
  authorityFor,
  isConsumerHost,
  knownAuthoritiesFor,
  msalTokenAcquirer,
  probeAuthority,
  scopesFor,
  type DeviceCodeInfo,
  type TokenAcquirer,
  type TokenRequest,
} from './token';

export type { Flow } from './claims';
export type { DeviceCodeInfo, TokenAcquirer, TokenRequest, TokenResult } from './token';
export { redactTokens, Redactor } from './redact';

export type TlsMode = 'implicit' | 'starttls';

export interface VerifyInput {
  protocol: Protocol;
  /** Mail server host; default per protocol: smtp.office365.com / outlook.office365.com. */
  host?: string;
  /** Default: smtp 587, imap 993, pop3 995. */
  port?: number;
  /** Default from the port: 465/993/995 implicit, otherwise STARTTLS. */
  tls?: TlsMode;
  /** The mailbox to log in to (XOAUTH2 `user=`). */
  user?: string;
  /** SMTP: sender address to test with MAIL FROM (default: `user`); detects missing Send As rights. */
  from?: string;
  /** Default: delegated for Outlook.com hosts, app otherwise (as the generated provider). */
  flow?: Flow;
  tenantId?: string;
  clientId?: string;
  /** Authority override (MAIL_OAUTH_AUTHORITY); default `<cloud login host>/<tenantId>`. */
  authority?: string;
  clientSecret?: string;
  /** Certificate credential: a PEM private key (`path` to a file, or the PEM text) and its thumbprint. */
  certificate?: { path?: string; privateKey?: string; thumbprint: string };
  /** TLS server name (SNI and certificate name check) when it differs from the host. */
  servername?: string;
  /** Extra CA certificate(s) (PEM) trusted for the mail server, in addition to Node's roots. */
  ca?: string;
  /** Per network operation; default 20 000 ms. */
  timeoutMs?: number;
  /** Resource (token audience) override, e.g. for a test bed; default from the host's cloud. */
  resource?: string;
  /** `verify --protocol graph`: check Microsoft Graph sendMail instead of a mail protocol (verify/graph.ts). */
  graph?: { endpoint?: string; sendTest?: string };
}

export interface VerifyStep {
  /** Stable id: configuration, token, claims, connect, authenticate, mail-from, logout (see STEP_TITLES). */
  name: string;
  ok: boolean;
  detail: string;
  remedy?: string;
}

export interface VerifyReport {
  ok: boolean;
  steps: VerifyStep[];
}

export interface VerifyDeps {
  signal?: AbortSignal;
  now?: () => Date;
  /** Delegated flow: shows the device code sign-in message to the user (required for that flow). */
  deviceCodeCallback?: (info: DeviceCodeInfo) => void | Promise<void>;
  /** Token seam (tests, other token sources); default: @azure/msal-node. */
  acquireToken?: TokenAcquirer;
  /** Called when a step starts (progress UI). */
  onProgress?: (step: string) => void;
}

/** Display titles of the step ids. */
export const STEP_TITLES: Record<string, string> = {
  configuration: 'Configuration',
  token: 'Acquire token',
  claims: 'Token claims',
  connect: 'Connect (TCP + TLS)',
  authenticate: 'Authenticate (XOAUTH2)',
  'mail-from': 'MAIL FROM (Send As)',
  'graph-send': 'Graph sendMail permission',
  logout: 'Log out',
  cancelled: 'Cancelled',
  internal: 'Internal error',
};

export const DEFAULT_PORTS: Record<Protocol, number> = { smtp: 587, imap: 993, pop3: 995 };
export const DEFAULT_HOSTS: Record<Protocol, string> = {
  smtp: 'smtp.office365.com',
  imap: 'outlook.office365.com',
  pop3: 'outlook.office365.com',
};
const IMPLICIT_PORTS = new Set([465, 993, 995]);
const STARTTLS_PORTS = new Set([587, 25, 143, 110]);
export const DEFAULT_TIMEOUT_MS = 20_000;

/** Default TLS mode for a port: 465/993/995 implicit, anything else STARTTLS. */
export function defaultTls(port: number): TlsMode {
  return IMPLICIT_PORTS.has(port) ? 'implicit' : 'starttls';
}

export interface Resolved {
  protocol: Protocol;
  host: string;
  port: number;
  tls: TlsMode;
  user: string;
  from: string;
  flow: Flow;
  clientId: string;
  tenantId?: string;
  authority: string;
  knownAuthorities?: string[];
  scopes: string[];
  clientSecret?: string;
  certificate?: { privateKey: string; thumbprint: string };
  credential: 'secret' | 'certificate' | 'none';
  servername?: string;
  ca?: string;
  timeoutMs: number;
  resource?: string;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const HOSTNAME = /^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/;

/** Step 1: is everything there and well-formed? Never echoes the secret. */
export function checkConfig(input: VerifyInput, deps: VerifyDeps): { step: VerifyStep; resolved?: Resolved } {
  const problems: Explanation[] = [];
  const notes: string[] = [];
  const bad = (detail: string, remedy: string): void => {
    problems.push({ detail, remedy });
  };

  const protocol = input.protocol;
  if (!['smtp', 'imap', 'pop3'].includes(protocol)) {
    bad(`unknown protocol "${String(protocol)}"`, 'Use smtp, imap or pop3.');
  }
  const proto: Protocol = ['smtp', 'imap', 'pop3'].includes(protocol) ? protocol : 'smtp';
  const host = (input.host ?? DEFAULT_HOSTS[proto]).trim();
  if (!host || !HOSTNAME.test(host)) {
    bad(
      `"${host}" is not a host name`,
      `Give the mail server's host name only (no scheme or port), e.g. ${DEFAULT_HOSTS[proto]}.`,
    );
  }
  const port = input.port ?? DEFAULT_PORTS[proto];
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    bad(`port ${String(port)} is not valid`, `Use a TCP port, e.g. ${DEFAULT_PORTS[proto]}.`);
  }
  const tlsMode = input.tls ?? defaultTls(port);
  if (tlsMode !== 'implicit' && tlsMode !== 'starttls') {
    bad(`TLS mode "${String(tlsMode)}" is not valid`, 'Use implicit or starttls.');
  } else if (tlsMode === 'implicit' && STARTTLS_PORTS.has(port)) {
    notes.push(`port ${port} usually expects STARTTLS, not implicit TLS`);
  } else if (tlsMode === 'starttls' && IMPLICIT_PORTS.has(port)) {
    notes.push(`port ${port} usually expects implicit TLS, not STARTTLS`);
  }
  const consumer = isConsumerHost(host);
  const flow: Flow = input.flow ?? (consumer ? 'delegated' : 'app');
  if (flow !== 'app' && flow !== 'delegated') {
    bad(
      `flow "${String(flow)}" is not valid`,
      'Use app (client credentials) or delegated (device code sign-in).',
    );
  }
  if (consumer && flow === 'app') {
    bad(
      `${host} is an Outlook.com (personal account) host: app-only tokens do not work there`,
      'Use --flow delegated (device code sign-in with the mailbox owner).',
    );
  }
  const user = input.user?.trim() ?? '';
  if (!user) {
    bad('no mailbox given', 'Give the mailbox address to log in to (--user, or MAIL_OAUTH_USER).');
  } else if (!EMAIL.test(user)) {
    bad(
      `"${user}" is not a mailbox address`,
      'Give the full mailbox address (user@domain) used as the XOAUTH2 user.',
    );
  }
  const from = input.from?.trim() || user;
  if (input.from && !EMAIL.test(from)) {
    bad(`"${from}" is not an e-mail address`, 'Give a full sender address for --from.');
  }
  const clientId = input.clientId?.trim() ?? '';
  if (!clientId) {
    bad(
      'no client ID',
      'Set MAIL_OAUTH_CLIENT_ID (or --client-id) to the Application (client) ID: Entra admin center → App registrations → your app → Overview.',
    );
  } else if (!isGuid(clientId)) {
    bad(
      `client ID "${clientId}" is not a GUID`,
      'Use the Application (client) ID (a GUID) from App registrations → your app → Overview, not the app name.',
    );
  }
  const tenantId = input.tenantId?.trim() || undefined;
  if (
    tenantId &&
    !isGuid(tenantId) &&
    !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(tenantId) &&
    !['common', 'organizations', 'consumers'].includes(tenantId)
  ) {
    bad(
      `tenant "${tenantId}" is neither a GUID nor a domain`,
      'Set MAIL_OAUTH_TENANT_ID to the Directory (tenant) ID: Entra admin center → Overview.',
    );
  }
  if (
    flow === 'app' &&
    tenantId &&
    ['common', 'organizations', 'consumers'].includes(tenantId) &&
    !input.authority
  ) {
    bad(
      `app-only tokens need a specific tenant, not "${tenantId}"`,
      'Set MAIL_OAUTH_TENANT_ID to the Directory (tenant) ID of the tenant that holds the mailbox.',
    );
  }
  let authority: string | undefined;
  let knownAuthorities: string[] | undefined;
  try {
    authority = authorityFor(host, tenantId, input.authority?.trim() || undefined);
    if (!authority) {
      bad(
        'no tenant ID',
        'Set MAIL_OAUTH_TENANT_ID (or --tenant) to the Directory (tenant) ID: Entra admin center → Overview.',
      );
    } else {
      const u = new URL(authority);
      if (u.protocol !== 'https:') {
        bad(
          `the authority ${authority} is not https`,
          'MSAL accepts only https:// authorities, e.g. https://login.microsoftonline.com/<tenant id>.',
        );
      }
      knownAuthorities = knownAuthoritiesFor(authority);
    }
  } catch {
    bad(
      `the authority "${input.authority ?? ''}" is not a URL`,
      'Set MAIL_OAUTH_AUTHORITY to a URL such as https://login.microsoftonline.com/<tenant id>, or leave it unset.',
    );
    authority = undefined;
  }

  // credentials
  let credential: Resolved['credential'] = 'none';
  let certificate: Resolved['certificate'];
  const secret = input.clientSecret && input.clientSecret.trim() ? input.clientSecret.trim() : undefined;
  if (flow === 'app') {
    if (secret) {
      credential = 'secret';
      if (isGuid(secret)) {
        notes.push('the client secret looks like a GUID: that is usually the Secret ID, not its Value');
      }
    } else if (input.certificate && (input.certificate.path || input.certificate.privateKey)) {
      credential = 'certificate';
      const thumb = (input.certificate.thumbprint ?? '').replace(/[\s:]/g, '');
      if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(thumb)) {
        bad(
          'MAIL_OAUTH_CERTIFICATE_THUMBPRINT is not a hex SHA-256 (64 digits) or SHA-1 (40 digits) thumbprint',
          'Copy the certificate thumbprint from App registrations → your app → Certificates & secrets (SHA-256 preferred).',
        );
      }
      let pem = input.certificate.privateKey;
      if (!pem && input.certificate.path) {
        try {
          pem = fs.readFileSync(input.certificate.path, 'utf8');
        } catch (e) {
          bad(
            `cannot read the certificate key file ${input.certificate.path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
            'Set MAIL_OAUTH_CERTIFICATE_PATH to a readable PEM file with the private key.',
          );
        }
      }
      if (pem !== undefined && !/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) {
        bad(
          'the certificate file holds no unencrypted PEM private key',
          'MAIL_OAUTH_CERTIFICATE_PATH must point to a PEM file containing "-----BEGIN PRIVATE KEY-----" (convert a .pfx with: openssl pkcs12 -in cert.pfx -nocerts -nodes -out key.pem).',
        );
      }
      if (pem) {
        certificate = { privateKey: pem, thumbprint: thumb };
      }
    } else {
      bad(
        'no client credential',
        'Set MAIL_OAUTH_CLIENT_SECRET (the secret Value from App registrations → Certificates & secrets), or MAIL_OAUTH_CERTIFICATE_PATH and MAIL_OAUTH_CERTIFICATE_THUMBPRINT, in the environment or in a .env file (never on the command line).',
      );
    }
  } else if (!deps.deviceCodeCallback && !deps.acquireToken) {
    bad(
      'the delegated flow needs a way to show the device code sign-in',
      'Internal: pass deps.deviceCodeCallback.',
    );
  }
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    bad(`timeout ${String(timeoutMs)} is not valid`, 'Give a positive timeout.');
  }

  const scopes = scopesFor(proto, flow === 'delegated' ? 'delegated' : 'app', host, input.resource);
  const summary = [
    `${proto} ${host}:${port} with ${tlsMode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}${input.servername ? ` (TLS name ${input.servername})` : ''}`,
    `mailbox ${user || '(none)'}${proto === 'smtp' && from !== user ? `, sender ${from}` : ''}`,
    `${flow === 'app' ? `app-only flow (client credentials) with a ${credential === 'certificate' ? 'certificate' : 'client secret'}` : 'delegated flow (device code sign-in)'}`,
    `client ${clientId || '(none)'}`,
    `authority ${authority ?? '(none)'}${knownAuthorities ? ` (knownAuthorities ${knownAuthorities.join(', ')})` : ''}`,
    `scope ${scopes.join(' ')}`,
  ].join('; ');
  if (problems.length) {
    return {
      step: {
        name: 'configuration',
        ok: false,
        detail: `${problems.map((p) => p.detail).join('; ')} (${summary})`,
        remedy: problems.map((p) => p.remedy).join(' '),
      },
    };
  }
  return {
    step: {
      name: 'configuration',
      ok: true,
      detail: `${summary}${notes.length ? `; note: ${notes.join('; ')}` : ''}`,
    },
    resolved: {
      protocol: proto,
      host,
      port,
      tls: tlsMode,
      user,
      from,
      flow,
      clientId,
      tenantId,
      authority: authority!,
      knownAuthorities,
      scopes,
      clientSecret: flow === 'app' ? secret : undefined,
      certificate,
      credential,
      servername: input.servername?.trim() || undefined,
      ca: input.ca,
      timeoutMs,
      resource: input.resource,
    },
  };
}

/** Connect-step errors from the session itself (protocol replies) or the network. */
function explainConnectError(e: unknown, r: Resolved): Explanation {
  const code = (e as { code?: string }).code;
  const msg = oneLine((e as Error).message ?? String(e), 300);
  if (code === 'ENOSTARTTLS') {
    return {
      detail: `${msg} on ${r.host}:${r.port}`,
      remedy: `Use --tls implicit if this port starts TLS at once (465, 993, 995), or a port that offers STARTTLS (587 for SMTP, 143 IMAP, 110 POP3). Exchange Online: smtp.office365.com:587 with STARTTLS.`,
    };
  }
  if (code === 'VERIFY_TIMEOUT' && r.tls === 'starttls' && /greeting/.test(msg)) {
    return {
      detail: `connected to ${r.host}:${r.port}, but the server sent no greeting within ${Math.round(r.timeoutMs / 1000)} s: it probably expects TLS at once (implicit TLS)`,
      remedy: `Use --tls implicit for this port (465, 993 and 995 are implicit-TLS ports; 587, 143 and 110 use STARTTLS).`,
    };
  }
  if (code === 'EPROTO_REPLY') {
    return {
      detail: `${msg} (${r.host}:${r.port})`,
      remedy: `Check that ${r.host}:${r.port} is a ${r.protocol.toUpperCase()} server (Exchange Online: smtp.office365.com:587, outlook.office365.com:993/995).`,
    };
  }
  return explainNetworkError(e, {
    host: r.host,
    port: r.port,
    tls: r.tls,
    servername: r.servername,
    timeoutMs: r.timeoutMs,
  });
}

/** A signal that aborts on the caller's signal or after `ms`; `timedOut()` tells which. */
function withTimeout(
  signal: AbortSignal | undefined,
  ms: number | undefined,
): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = ms
    ? setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, ms)
    : undefined;
  const onAbort = (): void => ctl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) {
    ctl.abort();
  }
  return {
    signal: ctl.signal,
    timedOut: () => timedOut,
    clear: () => {
      if (timer) {
        clearTimeout(timer);
      }
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

const cancelled = (e: unknown): boolean => (e as Error)?.name === 'AbortError';

/**
 * Runs every step it can and reports each one. Never throws for operational failures and never
 * includes the secret, the token or the SASL string in the report.
 */
export async function verify(input: VerifyInput, deps: VerifyDeps = {}): Promise<VerifyReport> {
  const redactor = new Redactor();
  redactor.add(input.clientSecret);
  redactor.add(input.certificate?.privateKey);
  const steps: VerifyStep[] = [];
  const now = deps.now ?? ((): Date => new Date());
  const push = (s: VerifyStep): VerifyStep => {
    steps.push(s);
    return s;
  };
  const finish = (): VerifyReport => {
    const masked = steps.map((s) => ({
      name: s.name,
      ok: s.ok,
      detail: redactor.mask(s.detail),
      ...(s.remedy !== undefined ? { remedy: redactor.mask(s.remedy) } : {}),
    }));
    return { ok: masked.length > 0 && masked.every((s) => s.ok), steps: masked };
  };
  let session: MailSession | undefined;
  try {
    deps.onProgress?.('configuration');
    const cfg = checkConfig(input, deps);
    push(cfg.step);
    const r = cfg.resolved;
    if (!r) {
      return finish();
    }
    redactor.add(r.certificate?.privateKey);
    /** A step that failed on the network: explained and reported; a cancellation goes on up. */
    const networkFailure = (name: string, e: unknown, what: string, tls?: TlsMode): void => {
      if (cancelled(e)) {
        throw e;
      }
      const x = explainNetworkError(e, { host: r.host, port: r.port, tls, timeoutMs: r.timeoutMs, what });
      push({ name, ok: false, detail: x.detail, remedy: x.remedy });
    };

    // 2. token
    deps.onProgress?.('token');
    let token: string | undefined;
    {
      const limit = withTimeout(deps.signal, r.flow === 'app' ? r.timeoutMs * 2 : undefined);
      const req: TokenRequest = {
        flow: r.flow,
        clientId: r.clientId,
        authority: r.authority,
        knownAuthorities: r.knownAuthorities,
        scopes: r.scopes,
        clientSecret: r.clientSecret,
        certificate: r.certificate,
        deviceCodeCallback: deps.deviceCodeCallback,
        signal: limit.signal,
      };
      try {
        const t = await (deps.acquireToken ?? msalTokenAcquirer)(req);
        token = t.accessToken;
        redactor.add(token);
        const exp = t.expiresOn ? ` (valid until ${t.expiresOn.toISOString()})` : '';
        push({
          name: 'token',
          ok: true,
          detail: `${r.flow === 'app' ? 'app-only' : 'delegated'} token issued by ${new URL(r.authority).host} for ${r.scopes.join(' ')}${exp}`,
        });
      } catch (e) {
        if (deps.signal?.aborted) {
          throw e;
        }
        const timedOut = limit.timedOut();
        // MSAL reports a failed metadata request without its cause (TLS, refused, unknown tenant): ask once.
        const probe =
          !timedOut && needsAuthorityProbe(e) ? await probeAuthority(r.authority, r.timeoutMs) : undefined;
        const x = explainTokenError(e, {
          flow: r.flow,
          clientId: r.clientId,
          tenantId: r.tenantId,
          authority: r.authority,
          credential: r.credential,
          timedOut,
          timeoutMs: r.timeoutMs * 2,
          probe,
        });
        push({ name: 'token', ok: false, detail: x.detail, remedy: x.remedy });
      } finally {
        limit.clear();
      }
    }

    // 3. claims
    let claimProblems: ClaimProblem[] = [];
    let claimsVerified = false;
    let claimsStep: VerifyStep | undefined;
    if (token) {
      deps.onProgress?.('claims');
      const c = checkClaims(token, {
        protocol: r.protocol,
        flow: r.flow,
        tenantId: r.tenantId,
        clientId: r.clientId,
        user: r.user,
        resource: r.resource,
        now: now(),
      });
      claimProblems = c.problems;
      claimsVerified = !!c.claims && !c.problems.length;
      claimsStep = push(
        c.problems.length
          ? {
              name: 'claims',
              ok: false,
              detail: `${c.problems.map((p) => p.text).join('; ')}${c.summary ? ` (${c.summary})` : ''}`,
              remedy: [...new Set(c.problems.map((p) => p.remedy))].join(' '),
            }
          : { name: 'claims', ok: true, detail: c.summary || 'no claims to check' },
      );
    }

    // 4. connect (also when there is no token: it shows whether the network part works)
    deps.onProgress?.('connect');
    session = createSession(r.protocol, {
      host: r.host,
      port: r.port,
      tls: r.tls,
      servername: r.servername,
      ca: r.ca,
      timeoutMs: r.timeoutMs,
      signal: deps.signal,
    });
    try {
      const summary = await session.connect();
      push({
        name: 'connect',
        ok: true,
        detail: `connected to ${r.host}:${r.port} (${r.tls === 'implicit' ? 'implicit TLS' : 'STARTTLS'}): ${summary}`,
      });
    } catch (e) {
      if (cancelled(e)) {
        throw e;
      }
      const x = explainConnectError(e, r);
      push({ name: 'connect', ok: false, detail: x.detail, remedy: x.remedy });
      session.close();
      session = undefined;
      return finish();
    }

    // 5. authenticate
    let authenticated = false;
    if (token) {
      deps.onProgress?.('authenticate');
      const sasl = xoauth2(r.user, token);
      redactor.add(sasl);
      try {
        if (session.offersXoauth2() === false) {
          push({
            name: 'authenticate',
            ok: false,
            detail: `${r.host}:${r.port} does not offer AUTH XOAUTH2, so no OAuth login is possible there`,
            remedy: `Connect to the Exchange Online endpoint (smtp.office365.com:587, outlook.office365.com:993/995). An on-premises server or an MX host (port 25) does not accept OAuth logins.`,
          });
        } else {
          const out = await session.authenticate(sasl);
          if (out.ok) {
            authenticated = true;
            push({
              name: 'authenticate',
              ok: true,
              detail: `logged in to ${r.user} with XOAUTH2; the server answered "${oneLine(out.reply, 200)}"`,
            });
          } else {
            const x = explainAuthFailure(out.reply, {
              protocol: r.protocol,
              flow: r.flow,
              user: r.user,
              clientId: r.clientId,
              claimProblems,
              claimsVerified,
            });
            push({ name: 'authenticate', ok: false, detail: x.detail, remedy: x.remedy });
          }
        }
      } catch (e) {
        networkFailure('authenticate', e, `${r.host}:${r.port} during the login`, r.tls);
      }
      // The server accepted a token without the role: Exchange RBAC for Applications grants it.
      if (
        authenticated &&
        claimsStep &&
        !claimsStep.ok &&
        claimProblems.every((p) => p.kind === 'missing-role')
      ) {
        claimsStep.ok = true;
        claimsStep.detail = `${claimsStep.detail}; the server accepted the token anyway, so the permission comes from Exchange RBAC for Applications (New-ManagementRoleAssignment)`;
        delete claimsStep.remedy;
      }
    }

    // 6. SMTP: MAIL FROM (Send As), then RSET: nothing is sent
    if (authenticated && r.protocol === 'smtp' && session.mailFrom) {
      deps.onProgress?.('mail-from');
      try {
        const out = await session.mailFrom(r.from);
        if (out.ok) {
          push({
            name: 'mail-from',
            ok: true,
            detail: `MAIL FROM:<${r.from}> accepted ("${oneLine(out.reply, 160)}"), then RSET: no message was sent`,
          });
        } else {
          const x = explainMailFromFailure(out.reply, {
            user: r.user,
            from: r.from,
            flow: r.flow,
            clientId: r.clientId,
          });
          push({ name: 'mail-from', ok: false, detail: x.detail, remedy: x.remedy });
        }
      } catch (e) {
        networkFailure('mail-from', e, `${r.host}:${r.port} after MAIL FROM`);
      }
    }

    // 7. log out
    deps.onProgress?.('logout');
    try {
      const out = await session.logout();
      push(
        out.ok
          ? { name: 'logout', ok: true, detail: `logged out ("${oneLine(out.reply, 160)}")` }
          : {
              name: 'logout',
              ok: false,
              detail: `the server answered the logout with "${oneLine(out.reply, 200)}"`,
              remedy: 'Harmless for the login itself; report it if it repeats.',
            },
      );
    } catch (e) {
      networkFailure('logout', e, `${r.host}:${r.port} at logout`);
    }
    return finish();
  } catch (e) {
    if (cancelled(e) || deps.signal?.aborted) {
      push({
        name: steps.length ? 'cancelled' : 'configuration',
        ok: false,
        detail: 'verification was cancelled',
        remedy: 'Run it again.',
      });
    } else {
      push({
        name: 'internal',
        ok: false,
        detail: `unexpected error: ${oneLine(String((e as Error)?.message ?? e), 300)}`,
        remedy: 'Please report this with the (redacted) output.',
      });
    }
    return finish();
  } finally {
    session?.close();
  }
}

/** Plain-text rendering: a ✔/✘ line per step with detail and remedy (used by the CLI and the extension's output). */
export function formatReportText(report: VerifyReport, opts: { color?: boolean } = {}): string {
  const c = (code: string, s: string): string => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  for (const s of report.steps) {
    lines.push(`${s.ok ? c('32', '✔') : c('31', '✘')} ${STEP_TITLES[s.name] ?? s.name}: ${s.detail}`);
    if (!s.ok && s.remedy) {
      lines.push(`    Fix: ${s.remedy}`);
    }
  }
  const failed = report.steps.filter((s) => !s.ok).length;
  lines.push(
    report.ok
      ? c('32', 'All checks passed.')
      : c('31', `${failed} of ${report.steps.length} check(s) failed.`),
  );
  return lines.join('\n');
}
