/**
 * Token acquisition for verify, behind a small seam (`TokenAcquirer`) so tests and the VS Code
 * extension can substitute it, and because msal-node's next major drops device code.
 * Authority, knownAuthorities and scopes follow the generated token provider
 * (src/core/fixes/provider/template.ts) exactly, so verify tests what the fixed code will do.
 */
import { ConfidentialClientApplication, LogLevel, PublicClientApplication } from '@azure/msal-node';
import type { Configuration, DeviceCodeRequest } from '@azure/msal-node';
import * as https from 'node:https';
import type { Protocol } from '../model';
import { DELEGATED_SCOPE, type Flow } from './claims';

export interface Cloud {
  login: string;
  /** Resource of app-only tokens (`<resource>/.default`). */
  resource: string;
  /** Resource of delegated scopes (`<resource>/SMTP.Send`). */
  delegatedResource: string;
}

/** The Microsoft cloud of a mail host (same table as the generated provider). */
export function cloudFor(host: string | undefined): Cloud {
  const h = (host ?? '').toLowerCase();
  if (h.endsWith('.office365.us')) {
    return {
      login: 'https://login.microsoftonline.us',
      resource: 'https://outlook.office365.us',
      delegatedResource: 'https://outlook.office365.us',
    };
  }
  if (h.endsWith('partner.outlook.cn')) {
    return {
      login: 'https://login.partner.microsoftonline.cn',
      resource: 'https://partner.outlook.cn',
      delegatedResource: 'https://partner.outlook.cn',
    };
  }
  return {
    login: 'https://login.microsoftonline.com',
    resource: 'https://outlook.office365.com',
    delegatedResource: 'https://outlook.office.com',
  };
}

/** Sign-in hosts MSAL knows; any other authority host is passed as knownAuthorities (host:port). */
export const MICROSOFT_LOGIN_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'login.live.com',
];

/** True for Outlook.com consumer hosts, where only delegated tokens work (same test as the provider). */
export function isConsumerHost(host: string | undefined): boolean {
  return /(^|\.)(smtp-mail|imap-mail|pop-mail)\.outlook\.com$/i.test(host ?? '');
}

/** The authority URL the provider would use: MAIL_OAUTH_AUTHORITY, else `<cloud login>/<tenant | consumers>`. */
export function authorityFor(
  host: string,
  tenantId: string | undefined,
  authority: string | undefined,
): string | undefined {
  if (authority) {
    return authority;
  }
  const consumer = isConsumerHost(host);
  if (!consumer && !tenantId) {
    return undefined;
  }
  return `${cloudFor(host).login}/${consumer ? 'consumers' : tenantId}`;
}

/** knownAuthorities for an authority URL: `[host:port]` unless it is a Microsoft sign-in host. */
export function knownAuthoritiesFor(authority: string): string[] | undefined {
  const u = new URL(authority);
  return MICROSOFT_LOGIN_HOSTS.includes(u.hostname.toLowerCase()) ? undefined : [u.host];
}

/** The scopes the provider requests for a protocol and flow. */
export function scopesFor(protocol: Protocol, flow: Flow, host: string, resource?: string): string[] {
  const cloud = cloudFor(host);
  if (flow === 'app') {
    return [`${(resource ?? cloud.resource).replace(/\/+$/, '')}/.default`];
  }
  return [
    `${(resource ?? cloud.delegatedResource).replace(/\/+$/, '')}/${DELEGATED_SCOPE[protocol]}`,
    'offline_access',
  ];
}

/** What the user must see to sign in with a device code (contains no secret). */
export interface DeviceCodeInfo {
  message: string;
  userCode: string;
  verificationUri: string;
  /** Seconds until the code expires. */
  expiresIn: number;
}

export interface TokenRequest {
  flow: Flow;
  clientId: string;
  authority: string;
  knownAuthorities?: string[];
  scopes: string[];
  clientSecret?: string;
  /** PEM private key and hex thumbprint (SHA-256: 64 hex digits; SHA-1: 40, deprecated). */
  certificate?: { privateKey: string; thumbprint: string };
  deviceCodeCallback?: (info: DeviceCodeInfo) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface TokenResult {
  accessToken: string;
  expiresOn?: Date | null;
}

/** The seam: one way of getting a token. */
export type TokenAcquirer = (req: TokenRequest) => Promise<TokenResult>;

/** MSAL's own logging stays off: its messages can carry request details. */
const system: Configuration['system'] = {
  loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
};

function abortError(): Error {
  return Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

/** Rejects when `signal` aborts (MSAL itself takes no signal). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<T> {
  if (!signal) {
    return p;
  }
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort?.();
      reject(abortError());
    };
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The default acquirer: @azure/msal-node client credentials (secret or certificate) or device code. */
export const msalTokenAcquirer: TokenAcquirer = async (req) => {
  const auth = { clientId: req.clientId, authority: req.authority, knownAuthorities: req.knownAuthorities };
  if (req.flow === 'app') {
    const thumb = req.certificate?.thumbprint.replace(/[^0-9a-f]/gi, '');
    const cca = new ConfidentialClientApplication({
      auth: {
        ...auth,
        ...(req.certificate
          ? {
              clientCertificate:
                thumb && thumb.length === 40
                  ? { thumbprint: thumb, privateKey: req.certificate.privateKey }
                  : { thumbprintSha256: thumb, privateKey: req.certificate.privateKey },
            }
          : { clientSecret: req.clientSecret }),
      },
      system,
    });
    const r = await raceAbort(
      cca.acquireTokenByClientCredential({ scopes: req.scopes, skipCache: true }),
      req.signal,
    );
    if (!r?.accessToken) {
      throw new Error('the identity platform returned no access token');
    }
    return { accessToken: r.accessToken, expiresOn: r.expiresOn };
  }
  const pca = new PublicClientApplication({ auth, system });
  const request: DeviceCodeRequest = {
    scopes: req.scopes,
    deviceCodeCallback: (r) => {
      void Promise.resolve(
        req.deviceCodeCallback?.({
          message: r.message,
          userCode: r.userCode,
          verificationUri: r.verificationUri,
          expiresIn: r.expiresIn,
        }),
      ).catch(() => undefined);
    },
  };
  const r = await raceAbort(pca.acquireTokenByDeviceCode(request), req.signal, () => {
    request.cancel = true;
  });
  if (!r?.accessToken) {
    throw new Error('the identity platform returned no access token');
  }
  return { accessToken: r.accessToken, expiresOn: r.expiresOn };
};

/** What a direct GET of the authority's OpenID metadata returned (to explain an MSAL failure). */
export interface AuthorityProbe {
  /** The socket/TLS error, when the request failed. */
  error?: unknown;
  status?: number;
  body?: string;
}

/**
 * Fetches `<authority>/v2.0/.well-known/openid-configuration` once, only after MSAL failed to
 * resolve the authority, because MSAL hides the underlying network/TLS error. Same host as MSAL.
 */
export function probeAuthority(authority: string, timeoutMs: number): Promise<AuthorityProbe> {
  const url = `${authority.replace(/\/+$/, '').replace(/\/v2\.0$/, '')}/v2.0/.well-known/openid-configuration`;
  return new Promise((resolve) => {
    let req: ReturnType<typeof https.get>;
    try {
      req = https.get(url, { timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (chunks.length < 64) {
            chunks.push(c);
          }
        });
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => resolve({ error }));
      });
    } catch (error) {
      resolve({ error });
      return;
    }
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'VERIFY_TIMEOUT' })),
    );
    req.on('error', (error) => resolve({ error }));
  });
}
