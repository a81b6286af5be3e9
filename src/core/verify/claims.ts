/**
 * Local (unverified) decoding of an access token's claims and the checks Exchange Online applies:
 * audience, tenant, expiry, and the protocol's app role or delegated scope.
 */
import type { Protocol } from '../model';

export type Flow = 'app' | 'delegated';

/** The subset of Entra access-token claims verify looks at. */
export interface TokenClaims {
  aud?: string | string[];
  tid?: string;
  iss?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  appid?: string;
  azp?: string;
  idtyp?: string;
  roles?: string[];
  scp?: string;
  upn?: string;
  preferred_username?: string;
  unique_name?: string;
  [k: string]: unknown;
}

/** Application permission (roles claim) each protocol needs. */
export const APP_ROLE: Record<Protocol, string> = {
  smtp: 'SMTP.SendAsApp',
  imap: 'IMAP.AccessAsApp',
  pop3: 'POP.AccessAsApp',
};
/** Delegated permission (scp claim) each protocol needs. */
export const DELEGATED_SCOPE: Record<Protocol, string> = {
  smtp: 'SMTP.Send',
  imap: 'IMAP.AccessAsUser.All',
  pop3: 'POP.AccessAsUser.All',
};

/** Audiences Exchange Online accepts for IMAP/POP/SMTP tokens (commercial and sovereign clouds). */
export const EXCHANGE_AUDIENCES = [
  'https://outlook.office365.com',
  'https://outlook.office.com',
  '00000002-0000-0ff1-ce00-000000000000',
  'https://outlook.office365.us',
  'https://outlook.office.us',
  'https://partner.outlook.cn',
];

/** Tenant id of personal Microsoft accounts (Outlook.com). */
export const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string | undefined): boolean => !!s && GUID.test(s);

/** Payload of a JWT, decoded without verifying anything; undefined when the token is not a JWT (MSA tokens are opaque). */
export function decodeJwtClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) {
    return undefined;
  }
  try {
    const json: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** One problem found in the claims; `kind` lets later steps refer back to it. */
export interface ClaimProblem {
  kind:
    | 'expired'
    | 'not-yet-valid'
    | 'audience'
    | 'tenant'
    | 'missing-role'
    | 'missing-scope'
    | 'wrong-token-type'
    | 'client';
  text: string;
  remedy: string;
}

export interface ClaimsCheck {
  /** Present when the token is a JWT. */
  claims?: TokenClaims;
  problems: ClaimProblem[];
  /** Facts for the step detail: audience, tenant, permissions, expiry. Never the token. */
  summary: string;
}

export interface ClaimsContext {
  protocol: Protocol;
  flow: Flow;
  /** Expected tenant: compared only when it is a GUID. */
  tenantId?: string;
  clientId?: string;
  /** The mailbox that will log in (SASL user). */
  user?: string;
  /** An audience override (test beds, new clouds) that is also accepted. */
  resource?: string;
  now: Date;
}

const trimSlash = (s: string): string => s.replace(/\/+$/, '').toLowerCase();

function fmtDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) {
    return `${s} s`;
  }
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

/** Checks the claims Exchange Online cares about for `ctx.protocol` and `ctx.flow`. */
export function checkClaims(token: string, ctx: ClaimsContext): ClaimsCheck {
  const claims = decodeJwtClaims(token);
  if (!claims) {
    return {
      problems: [],
      summary:
        ctx.flow === 'delegated'
          ? 'the token is not a JWT (personal Microsoft account tokens are opaque), so its claims cannot be read locally; the server will judge it'
          : 'the token is not a JWT, so its claims cannot be read locally; the server will judge it',
    };
  }
  const problems: ClaimProblem[] = [];
  const facts: string[] = [];

  // audience
  const auds = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
    (a): a is string => typeof a === 'string',
  );
  const accepted = new Set([...EXCHANGE_AUDIENCES, ...(ctx.resource ? [ctx.resource] : [])].map(trimSlash));
  if (auds.some((a) => accepted.has(trimSlash(a)))) {
    facts.push(`audience ${auds.join(', ')}`);
  } else {
    problems.push({
      kind: 'audience',
      text: `the token's audience is ${auds.length ? auds.join(', ') : '(none)'}, not Exchange Online (https://outlook.office365.com)`,
      remedy:
        ctx.flow === 'app'
          ? 'Request the token with the scope https://outlook.office365.com/.default (not https://graph.microsoft.com/.default): Exchange refuses tokens for other APIs.'
          : `Request the delegated scope https://outlook.office.com/${DELEGATED_SCOPE[ctx.protocol]} (plus offline_access), not a Microsoft Graph scope: Exchange refuses tokens for other APIs.`,
    });
  }

  // tenant
  if (claims.tid) {
    facts.push(`tenant ${claims.tid}`);
    if (isGuid(ctx.tenantId) && claims.tid.toLowerCase() !== ctx.tenantId!.toLowerCase()) {
      problems.push({
        kind: 'tenant',
        text: `the token was issued by tenant ${claims.tid}, not the configured tenant ${ctx.tenantId}`,
        remedy:
          'Use the authority https://login.microsoftonline.com/<your tenant id> (not /common or another tenant): the mailbox and the Exchange service principal live in your tenant. Check MAIL_OAUTH_TENANT_ID / MAIL_OAUTH_AUTHORITY.',
      });
    }
  }

  // client
  const appid = claims.appid ?? claims.azp;
  if (appid && ctx.clientId && appid.toLowerCase() !== ctx.clientId.toLowerCase()) {
    problems.push({
      kind: 'client',
      text: `the token was issued to application ${appid}, not ${ctx.clientId}`,
      remedy:
        'Check MAIL_OAUTH_CLIENT_ID: it must be the Application (client) ID of the app registration that has the mail permissions.',
    });
  }

  // permission
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is string => typeof r === 'string')
    : [];
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
  if (ctx.flow === 'app') {
    const need = APP_ROLE[ctx.protocol];
    if (scopes.length && !roles.length) {
      problems.push({
        kind: 'wrong-token-type',
        text: `this is a delegated (user) token (scp: ${scopes.join(' ')}), but the app-only flow was asked for`,
        remedy:
          'Use client credentials (ConfidentialClientApplication.acquireTokenByClientCredential) for app-only access, or run verify with --flow delegated.',
      });
    } else if (!roles.includes(need)) {
      problems.push({
        kind: 'missing-role',
        text: roles.length
          ? `the token's roles (${roles.join(', ')}) do not include ${need}`
          : `the token has no roles claim: no application permission of Office 365 Exchange Online is granted (admin consent missing?), so ${need} is absent`,
        remedy:
          `Entra admin center → App registrations → your app → API permissions → Add a permission → APIs my organization uses → "Office 365 Exchange Online" → Application permissions → ${need}; then "Grant admin consent". ` +
          (ctx.protocol === 'smtp'
            ? 'Alternatively (SMTP only) grant it with Exchange RBAC for Applications (New-ManagementRoleAssignment -Role "Application SMTP.SendAsApp"); then the token carries no role and the server decides. '
            : '') +
          'Tokens issued before the consent keep the old roles: get a new token.',
      });
    } else {
      facts.push(`roles ${roles.join(', ')}`);
    }
  } else {
    const need = DELEGATED_SCOPE[ctx.protocol];
    if (roles.length && !scopes.length) {
      problems.push({
        kind: 'wrong-token-type',
        text: `this is an app-only token (roles: ${roles.join(', ')}), but the delegated flow was asked for`,
        remedy:
          'Use device code / authorization code sign-in for delegated access, or run verify with --flow app.',
      });
    } else if (!scopes.includes(need)) {
      problems.push({
        kind: 'missing-scope',
        text: scopes.length
          ? `the token's scopes (${scopes.join(' ')}) do not include ${need}`
          : `the token has no scp claim, so ${need} is absent`,
        remedy: `Add the delegated permission: App registrations → your app → API permissions → Add a permission → Microsoft Graph → Delegated permissions → ${need}; consent to it, and request the scope https://outlook.office.com/${need}.`,
      });
    } else {
      facts.push(`scopes ${scopes.join(' ')}`);
    }
    const who = claims.upn ?? claims.preferred_username ?? claims.unique_name;
    if (who && ctx.user && who.toLowerCase() !== ctx.user.toLowerCase()) {
      facts.push(
        `signed in as ${who}, logging in to ${ctx.user} (needs FullAccess / Send As on that mailbox)`,
      );
    } else if (who) {
      facts.push(`signed in as ${who}`);
    }
  }

  // lifetime
  const now = ctx.now.getTime();
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > now + 5 * 60_000) {
    problems.push({
      kind: 'not-yet-valid',
      text: `the token is valid only from ${new Date(claims.nbf * 1000).toISOString()} (${fmtDuration(claims.nbf * 1000 - now)} from now by this computer's clock)`,
      remedy: "This computer's clock is behind: synchronise it (NTP).",
    });
  }
  if (typeof claims.exp === 'number') {
    const exp = claims.exp * 1000;
    if (exp <= now) {
      problems.push({
        kind: 'expired',
        text: `the token expired at ${new Date(exp).toISOString()} (${fmtDuration(now - exp)} ago by this computer's clock)`,
        remedy:
          "Get a fresh token before every login (MSAL's acquireTokenByClientCredential / acquireTokenSilent renew it; do not store access tokens). If it was just issued, this computer's clock is wrong: synchronise it (NTP).",
      });
    } else {
      facts.push(`expires in ${fmtDuration(exp - now)} (${new Date(exp).toISOString()})`);
    }
  }
  return { claims, problems, summary: facts.join('; ') };
}
