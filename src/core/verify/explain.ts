/**
 * Known failures of an OAuth mail login, mapped to a plain explanation and the exact remedy.
 * Sources: docs/domain-facts.md sections 1, 2 and 4 (Entra AADSTS codes, Exchange Online replies).
 * Everything returned here is later passed through the Redactor; still, nothing here echoes a
 * credential on purpose.
 */
import type { Protocol } from '../model';
import { APP_ROLE, DELEGATED_SCOPE, type ClaimProblem, type Flow } from './claims';

export interface Explanation {
  detail: string;
  remedy: string;
}

const PS_NOTE =
  'Run it in Exchange Online PowerShell (Install-Module ExchangeOnlineManagement; Connect-ExchangeOnline); changes can take up to an hour to apply.';
const SP_OBJECT_ID =
  'New-ServicePrincipal needs the Object ID of the *Enterprise application* (Entra admin center → Enterprise applications → your app → Object ID, or (Get-MgServicePrincipal -Filter "appId eq \'<client id>\'").Id), NOT the Object ID shown under App registrations: with the wrong one Exchange never links the token to the service principal';
const PROTOCOL_NAME: Record<Protocol, string> = { smtp: 'SMTP', imap: 'IMAP', pop3: 'POP3' };
const CAS_SWITCH: Record<Protocol, string> = {
  smtp: '-SmtpClientAuthenticationDisabled $false',
  imap: '-ImapEnabled $true',
  pop3: '-PopEnabled $true',
};

/** Collapses whitespace and trims to a length that fits in a report line. */
export function oneLine(s: string, max = 300): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

// ---------------------------------------------------------------------------------------------
// Errors from the token endpoint (MSAL ServerError / ClientAuthError)

export interface TokenErrorContext {
  flow: Flow;
  clientId: string;
  tenantId?: string;
  authority: string;
  credential: 'secret' | 'certificate' | 'none';
  /** True when the request was abandoned because of the timeout. */
  timedOut?: boolean;
  timeoutMs?: number;
  /** A direct request to the authority's metadata, made when MSAL hid the cause. */
  probe?: { error?: unknown; status?: number; body?: string };
}

/** True when MSAL failed before talking to the token endpoint (metadata or network), so a probe can tell more. */
export function needsAuthorityProbe(e: unknown): boolean {
  const { texts, codes } = errorTexts(e);
  return (
    codes.includes('endpoints_resolution_error') ||
    codes.includes('network_error') ||
    /endpoints_resolution_error|network_error|Network request failed/.test(texts.join(' '))
  );
}

interface AadCause {
  what: string;
  remedy: (c: TokenErrorContext) => string;
}

const tenantRef = (c: TokenErrorContext): string =>
  c.tenantId ? `tenant ${c.tenantId}` : `the authority ${c.authority}`;

/** AADSTS codes: what they mean for this tool, and what to do. */
export const AADSTS: Record<string, AadCause> = {
  '7000215': {
    what: 'Entra ID rejected the client secret (invalid client secret)',
    remedy: () =>
      "Set MAIL_OAUTH_CLIENT_SECRET to the secret's Value, which is shown only once when the secret is created; the Secret ID (a GUID) is not the secret. If the value is lost, create a new one: Entra admin center → App registrations → your app → Certificates & secrets → New client secret.",
  },
  '7000222': {
    what: 'the client secret has expired',
    remedy: () =>
      'Create a new client secret (App registrations → your app → Certificates & secrets → New client secret), put its Value in MAIL_OAUTH_CLIENT_SECRET wherever the app runs, then delete the expired one. Note the new expiry date, or switch to a certificate.',
  },
  '700016': {
    what: 'Entra ID found no application with this client ID in the directory',
    remedy: (c) =>
      `Check MAIL_OAUTH_CLIENT_ID (${c.clientId}) is the Application (client) ID from App registrations → your app → Overview (not its Object ID or a secret ID), and that ${tenantRef(c)} is the Directory (tenant) ID the app is registered in. An app registered in another tenant must first be consented to in this one.`,
  },
  '1002012': {
    what: 'the requested scope is not valid for client credentials',
    remedy: () =>
      'App-only tokens must request exactly one scope ending in /.default: https://outlook.office365.com/.default.',
  },
  '70011': {
    what: 'the requested scope is invalid',
    remedy: (c) =>
      c.flow === 'app'
        ? 'For app-only request https://outlook.office365.com/.default alone (never mixed with other scopes).'
        : 'For delegated access request https://outlook.office.com/SMTP.Send (or IMAP.AccessAsUser.All / POP.AccessAsUser.All) plus offline_access; do not mix them with /.default.',
  },
  '65001': {
    what: 'the permissions have not been consented to',
    remedy: (c) =>
      c.flow === 'app'
        ? 'An administrator must grant consent: App registrations → your app → API permissions → "Grant admin consent for <tenant>".'
        : 'The user must consent when signing in, or an administrator grants consent for everyone: App registrations → your app → API permissions → "Grant admin consent for <tenant>".',
  },
  '7000218': {
    what: 'the token request carried no client secret or certificate',
    remedy: (c) =>
      c.flow === 'app'
        ? 'Set MAIL_OAUTH_CLIENT_SECRET, or MAIL_OAUTH_CERTIFICATE_PATH and MAIL_OAUTH_CERTIFICATE_THUMBPRINT.'
        : 'Device code sign-in needs a public client: App registrations → your app → Authentication → Advanced settings → "Allow public client flows" = Yes.',
  },
  '7000112': {
    what: 'the application is disabled in this tenant',
    remedy: () =>
      'Enable it: Entra admin center → Enterprise applications → your app → Properties → "Enabled for users to sign-in?" = Yes.',
  },
  '7000229': {
    what: 'the application has no service principal (Enterprise application) in this tenant',
    remedy: () =>
      'Grant admin consent to the app in this tenant (API permissions → Grant admin consent), which creates its Enterprise application.',
  },
  '90002': {
    what: 'the tenant was not found',
    remedy: (c) =>
      `Check MAIL_OAUTH_TENANT_ID (${c.tenantId ?? 'unset'}): use the Directory (tenant) ID from Entra admin center → Overview, or the tenant's primary domain.`,
  },
  '900023': {
    what: 'the tenant identifier is malformed',
    remedy: () =>
      'MAIL_OAUTH_TENANT_ID must be the Directory (tenant) ID (a GUID) or a verified domain such as contoso.onmicrosoft.com.',
  },
  '500011': {
    what: 'the resource (Office 365 Exchange Online) was not found in the tenant',
    remedy: () =>
      'The tenant has no Exchange Online (no licence), the scope names another resource, or the authority is of another cloud. Request https://outlook.office365.com/.default from the tenant that holds the mailboxes.',
  },
  '650057': {
    what: 'the app registration does not list the requested permission',
    remedy: (c) =>
      c.flow === 'app'
        ? 'Add it: API permissions → Add a permission → APIs my organization uses → Office 365 Exchange Online → Application permissions; then grant admin consent.'
        : 'Add it: API permissions → Add a permission → Microsoft Graph → Delegated permissions (SMTP.Send, IMAP.AccessAsUser.All, POP.AccessAsUser.All); then consent.',
  },
  '700027': {
    what: 'the certificate signature was not accepted (certificate not uploaded to this app, or wrong key/thumbprint)',
    remedy: () =>
      'Upload the certificate (public part) under App registrations → your app → Certificates & secrets → Certificates, set MAIL_OAUTH_CERTIFICATE_THUMBPRINT to its SHA-256 thumbprint, and MAIL_OAUTH_CERTIFICATE_PATH to the matching private key (PEM).',
  },
  '700024': {
    what: "the client assertion is outside its valid time range (this computer's clock is off)",
    remedy: () => "Synchronise this computer's clock (NTP).",
  },
  '50076': {
    what: 'multi-factor authentication is required',
    remedy: () =>
      'Complete MFA during the device code sign-in. For unattended use, switch to the app-only flow (client credentials).',
  },
  '53003': {
    what: 'a Conditional Access policy blocked the sign-in',
    remedy: () =>
      'Ask an administrator to check the Entra sign-in logs for the policy that applied, and to exclude this app or location if appropriate.',
  },
  '700082': {
    what: 'the refresh token has expired (no use for 90 days)',
    remedy: () =>
      'Sign in again (delete the token cache, e.g. ~/.mail-oauth/<client id>.json, then run the app).',
  },
  '50059': {
    what: 'the authority names no tenant',
    remedy: () =>
      'Use https://login.microsoftonline.com/<tenant id> as the authority (set MAIL_OAUTH_TENANT_ID), not /common, for app-only tokens.',
  },
  '70019': {
    what: 'the device code expired before the sign-in was completed',
    remedy: () => 'Run verify again and finish the sign-in at the shown address within the time given.',
  },
};

/** Every message, code and cause in an error chain (MSAL wraps fetch errors, which wrap socket errors). */
function errorTexts(e: unknown): { texts: string[]; codes: string[] } {
  const texts: string[] = [];
  const codes: string[] = [];
  const seen = new Set<unknown>();
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 8 && !seen.has(cur); depth++) {
    seen.add(cur);
    if (typeof cur === 'string') {
      texts.push(cur);
      break;
    }
    if (typeof cur !== 'object') {
      texts.push(typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : typeof cur);
      break;
    }
    const o = cur as Record<string, unknown>;
    for (const k of ['message', 'errorMessage', 'subError', 'errorCode', 'code']) {
      if (typeof o[k] === 'string' && o[k]) {
        texts.push(o[k]);
      }
    }
    if (typeof o.code === 'string') {
      codes.push(o.code);
    }
    if (typeof o.errorCode === 'string') {
      codes.push(o.errorCode);
    }
    if (Array.isArray((o as { errors?: unknown[] }).errors)) {
      for (const inner of (o as { errors: unknown[] }).errors) {
        const t = errorTexts(inner);
        texts.push(...t.texts);
        codes.push(...t.codes);
      }
    }
    cur = o.cause ?? o.error ?? o.originalError;
  }
  return { texts, codes };
}

/** The first network/TLS error code in an error chain, if any. */
export function networkCode(e: unknown): string | undefined {
  const { codes, texts } = errorTexts(e);
  const known = codes.find(
    (c) => NETWORK[c] !== undefined || TLS_UNTRUSTED.has(c) || TLS_OTHER[c] !== undefined,
  );
  if (known) {
    return known;
  }
  const all = texts.join(' ');
  if (/wrong version number|packet length too long|unknown protocol/i.test(all)) {
    return 'ERR_SSL_WRONG_VERSION_NUMBER';
  }
  return undefined;
}

/** Explains a failed token request. */
export function explainTokenError(e: unknown, c: TokenErrorContext): Explanation {
  const { texts, codes } = errorTexts(e);
  const all = texts.join(' \n ');
  if (c.timedOut) {
    return {
      detail: `no token within ${Math.round((c.timeoutMs ?? 0) / 1000)} s from ${new URL(c.authority).host}`,
      remedy:
        'Check that this computer can reach the sign-in authority over HTTPS (proxy, firewall), then try again or raise --timeout.',
    };
  }
  const aad =
    /AADSTS(\d+)/.exec(all)?.[1] ??
    (typeof (e as { errorNo?: unknown })?.errorNo === 'string'
      ? (e as { errorNo: string }).errorNo
      : undefined);
  const first = oneLine(
    /AADSTS\d+:[^\r\n]*/.exec(all)?.[0]?.replace(/\s*(-\s*)?(Trace ID|Correlation ID|Timestamp):.*$/, '') ??
      '',
    240,
  );
  if (aad && AADSTS[aad]) {
    const cause = AADSTS[aad];
    return {
      detail: `AADSTS${aad}: ${cause.what}${first ? ` (Entra: "${first}")` : ''}`,
      remedy: cause.remedy(c),
    };
  }
  if (aad) {
    return {
      detail: `AADSTS${aad}${first ? `: ${first}` : ''}`,
      remedy: `Look the code up at https://login.microsoftonline.com/error?code=${aad} and check the Entra sign-in logs (Enterprise applications → your app → Sign-in logs).`,
    };
  }
  if (c.probe) {
    const host = new URL(c.authority).host;
    if (c.probe.error) {
      const x = explainNetworkError(c.probe.error, {
        host: new URL(c.authority).hostname,
        port: Number(new URL(c.authority).port) || 443,
        what: `the sign-in authority ${host}`,
        authority: true,
      });
      return { detail: `could not reach the sign-in authority: ${x.detail}`, remedy: x.remedy };
    }
    const probeAad = /AADSTS(\d+)/.exec(c.probe.body ?? '')?.[1];
    if (probeAad && AADSTS[probeAad]) {
      return {
        detail: `AADSTS${probeAad}: ${AADSTS[probeAad].what} (asked ${host} for the authority's metadata)`,
        remedy: AADSTS[probeAad].remedy(c),
      };
    }
    if (c.probe.status !== undefined && c.probe.status !== 200) {
      return {
        detail: `the authority ${c.authority} answered HTTP ${c.probe.status} for its OpenID metadata`,
        remedy: `Check the tenant ID (${c.tenantId ?? 'unset'}) and MAIL_OAUTH_AUTHORITY: the authority must be https://login.microsoftonline.com/<tenant id> (or your cloud's / test bed's).`,
      };
    }
  }
  const net = networkCode(e);
  if (net) {
    const host = new URL(c.authority).host;
    const x = explainNetworkError(e, {
      host,
      port: undefined,
      what: `the sign-in authority ${host}`,
      authority: true,
    });
    return { detail: `could not reach the sign-in authority: ${x.detail}`, remedy: x.remedy };
  }
  const code = codes.find((k) => /^[a-z_]+$/.test(k));
  if (code === 'device_code_expired' || /expired_token/.test(all)) {
    return {
      detail: 'the device code expired before the sign-in was completed',
      remedy: AADSTS['70019'].remedy(c),
    };
  }
  if (code === 'device_code_polling_cancelled' || (e as Error)?.name === 'AbortError') {
    return { detail: 'the sign-in was cancelled', remedy: 'Run verify again.' };
  }
  if (/authorization_declined/.test(all)) {
    return {
      detail: 'the sign-in was declined by the user',
      remedy: 'Run verify again and accept the sign-in with the account that owns (or may use) the mailbox.',
    };
  }
  if (code === 'endpoints_resolution_error' || /endpoints_resolution_error/.test(all)) {
    return {
      detail: `MSAL could not load the authority's metadata from ${c.authority}`,
      remedy: `Check the tenant ID (${c.tenantId ?? 'unset'}) and MAIL_OAUTH_AUTHORITY: the authority must be https://login.microsoftonline.com/<tenant id> (or your cloud's / test bed's), reachable over HTTPS from here.`,
    };
  }
  if (/authority_uri_insecure|url_parse_error|invalid_authority|untrusted_authority/.test(all)) {
    return {
      detail: `the authority URL is not usable: ${c.authority}`,
      remedy:
        'MAIL_OAUTH_AUTHORITY must be an https:// URL ending in the tenant, e.g. https://login.microsoftonline.com/<tenant id>.',
    };
  }
  if (/invalid_client/.test(all)) {
    return {
      detail: 'Entra ID rejected the client credentials (invalid_client)',
      remedy: c.credential === 'certificate' ? AADSTS['700027'].remedy(c) : AADSTS['7000215'].remedy(c),
    };
  }
  if (/invalid_grant/.test(all) && c.flow === 'delegated') {
    return {
      detail: 'the sign-in failed (invalid_grant): declined, expired, or blocked by policy',
      remedy: 'Run verify again and complete the sign-in; check the Entra sign-in logs if it keeps failing.',
    };
  }
  return {
    detail: `could not get a token: ${oneLine(texts[0] ?? String(e), 240)}`,
    remedy:
      'Check MAIL_OAUTH_TENANT_ID, MAIL_OAUTH_CLIENT_ID, the credential and MAIL_OAUTH_AUTHORITY; the Entra sign-in logs (Enterprise applications → your app → Sign-in logs) show why a request was refused.',
  };
}

// ---------------------------------------------------------------------------------------------
// Network and TLS errors

export interface NetworkContext {
  host: string;
  port: number | undefined;
  what?: string;
  /** Implicit TLS or STARTTLS, when it is the mail connection. */
  tls?: 'implicit' | 'starttls';
  servername?: string;
  timeoutMs?: number;
  /** The sign-in authority (HTTPS) rather than the mail server. */
  authority?: boolean;
}

const target = (c: NetworkContext): string => c.what ?? `${c.host}${c.port ? `:${c.port}` : ''}`;
const EXO_ENDPOINTS =
  'Exchange Online listens on smtp.office365.com:587 (SMTP, STARTTLS), outlook.office365.com:993 (IMAP, TLS) and outlook.office365.com:995 (POP3, TLS).';

const NETWORK: Record<string, (c: NetworkContext) => Explanation> = {
  ECONNREFUSED: (c) => ({
    detail: `connection refused by ${target(c)}: nothing listens there`,
    remedy: `Check --host and --port. ${EXO_ENDPOINTS} A local firewall that rejects the port gives the same error.`,
  }),
  ENOTFOUND: (c) => ({
    detail: `the host name ${c.host} does not resolve (DNS)`,
    remedy: `Check the spelling of the host. ${EXO_ENDPOINTS}`,
  }),
  EAI_AGAIN: (c) => ({
    detail: `DNS lookup of ${c.host} failed temporarily`,
    remedy: "Check this computer's DNS / network connection and try again.",
  }),
  ETIMEDOUT: (c) => ({
    detail: `no answer from ${target(c)} (connection timed out)`,
    remedy: `A firewall, proxy or the hosting provider is probably dropping outbound traffic to port ${c.port ?? 'that port'} (several cloud providers block SMTP ports). Test with: nc -vz ${c.host} ${c.port ?? ''} (or Test-NetConnection ${c.host} -Port ${c.port ?? ''}), or raise --timeout.`,
  }),
  VERIFY_TIMEOUT: (c) => ({
    detail: `no answer from ${target(c)} within ${Math.round((c.timeoutMs ?? 0) / 1000)} s`,
    remedy: `A firewall or proxy may be dropping the traffic, or the port speaks another protocol (implicit TLS vs STARTTLS: 465/993/995 are implicit, 587/143/110 STARTTLS). Test with: nc -vz ${c.host} ${c.port ?? ''}; raise --timeout if the link is slow.`,
  }),
  ECONNRESET: (c) => ({
    detail: `${target(c)} closed the connection abruptly`,
    remedy: `Often a TLS mode mismatch (use --tls implicit for 465/993/995 and --tls starttls for 587/143/110), or a proxy/firewall cutting the connection.`,
  }),
  ECLOSED: (c) => ({
    detail: `${target(c)} closed the connection`,
    remedy:
      'The server ended the session early; check the TLS mode (--tls) and that the port serves this protocol.',
  }),
  EPIPE: (c) => NETWORK.ECONNRESET(c),
  ENETUNREACH: (c) => ({
    detail: `network unreachable for ${target(c)}`,
    remedy: "Check this computer's network connection, VPN and routes (IPv6 vs IPv4).",
  }),
  EHOSTUNREACH: (c) => ({
    detail: `host unreachable: ${target(c)}`,
    remedy: "Check this computer's network connection, VPN and firewall.",
  }),
};

/** Certificate-chain errors: the server's certificate does not chain to a trusted root. */
const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const TLS_OTHER: Record<string, (c: NetworkContext, msg: string) => Explanation> = {
  ERR_TLS_CERT_ALTNAME_INVALID: (c, msg) => ({
    detail: `the certificate of ${target(c)} is not valid for the name ${c.servername ?? c.host} (hostname mismatch: ${oneLine(msg, 160)})`,
    remedy:
      'Connect with a host name the certificate lists (e.g. smtp.office365.com or outlook.office365.com, not an IP address or a private alias). For a test server reached by IP, pass the certificate name with --servername.',
  }),
  CERT_HAS_EXPIRED: (c) => ({
    detail: `the certificate of ${target(c)} has expired (or this computer's clock is wrong)`,
    remedy:
      "Check this computer's date and time; if it is right, the server (or a proxy in between) presents an expired certificate.",
  }),
  CERT_NOT_YET_VALID: (c) => ({
    detail: `the certificate of ${target(c)} is not valid yet (this computer's clock is probably behind)`,
    remedy: "Synchronise this computer's clock (NTP).",
  }),
  ERR_SSL_WRONG_VERSION_NUMBER: (c) => ({
    detail: `TLS handshake with ${target(c)} failed: the port does not speak TLS right away (wrong version number)`,
    remedy: `Port ${c.port ?? ''} expects STARTTLS: use --tls starttls (587, 143, 110), or connect to the implicit-TLS port (465, 993, 995).`,
  }),
  ERR_SSL_UNSUPPORTED_PROTOCOL: (c) => ({
    detail: `TLS version not accepted by ${target(c)}`,
    remedy:
      'Exchange Online needs TLS 1.2 or later; update Node.js/OpenSSL settings that restrict TLS versions.',
  }),
};

/** Explains a socket/TLS error (connect, STARTTLS upgrade, or the authority's HTTPS). */
export function explainNetworkError(e: unknown, c: NetworkContext): Explanation {
  const code = networkCode(e) ?? ((e as { code?: unknown })?.code as string | undefined);
  const msg = errorTexts(e).texts.find((t) => t.length > 12) ?? String(e);
  if (c.authority && !(code && (TLS_UNTRUSTED.has(code) || TLS_OTHER[code]))) {
    const x = code && NETWORK[code] ? NETWORK[code](c).detail : `request failed: ${oneLine(msg, 200)}`;
    return {
      detail: x,
      remedy:
        'Check MAIL_OAUTH_AUTHORITY / --authority (default https://login.microsoftonline.com/<tenant id>) and that this computer may open HTTPS connections to it (proxy: set HTTPS_PROXY for Node, firewall).',
    };
  }
  if (code && TLS_UNTRUSTED.has(code)) {
    return {
      detail: `the TLS certificate of ${target(c)} is not trusted (${code}: ${oneLine(msg, 160)})`,
      remedy: `For Microsoft hosts this is almost always a TLS-inspecting proxy or antivirus: add its root CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem${c.authority ? '' : ' (or --ca for the mail server)'}. For a test server, trust its CA the same way. Do not turn certificate checks off (rejectUnauthorized: false).`,
    };
  }
  if (code && TLS_OTHER[code]) {
    return TLS_OTHER[code](c, msg);
  }
  if (code && NETWORK[code]) {
    return NETWORK[code](c);
  }
  return {
    detail: `connection to ${target(c)} failed: ${oneLine(msg, 200)}`,
    remedy: `Check --host, --port and --tls. ${EXO_ENDPOINTS}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Server replies to AUTH / AUTHENTICATE

export interface AuthContext {
  protocol: Protocol;
  flow: Flow;
  user: string;
  clientId?: string;
  /** Problems the local claims check found (they are the likeliest cause). */
  claimProblems: ClaimProblem[];
  /** True when the token's claims were read and passed every check. */
  claimsVerified?: boolean;
}

function causesForRejectedToken(c: AuthContext): string {
  const p = PROTOCOL_NAME[c.protocol];
  const list: string[] = c.claimProblems.map((x) => `${x.text} (fix this first, see the token claims step)`);
  if (c.flow === 'app') {
    if (!c.claimsVerified && !c.claimProblems.some((x) => x.kind === 'missing-role')) {
      list.push(`the token must carry the application permission ${APP_ROLE[c.protocol]} with admin consent`);
    }
    list.push(
      `Exchange has no service principal for the app, or it was created with the wrong Object ID: New-ServicePrincipal -AppId ${c.clientId ?? '<client id>'} -ObjectId <Enterprise application Object ID>. ${SP_OBJECT_ID}`,
      `the service principal has no right on the mailbox ${c.user}: Add-MailboxPermission -Identity ${c.user} -User <Enterprise application Object ID> -AccessRights FullAccess`,
    );
  } else {
    if (!c.claimsVerified && !c.claimProblems.some((x) => x.kind === 'missing-scope')) {
      list.push(`the token must carry the delegated permission ${DELEGATED_SCOPE[c.protocol]}`);
    }
    list.push(
      `the signed-in user must be ${c.user} itself, or have FullAccess on it (Add-MailboxPermission -Identity ${c.user} -User <signed-in user> -AccessRights FullAccess); the XOAUTH2 user= must be the mailbox address`,
    );
  }
  list.push(
    `${p} must be enabled for the mailbox: Set-CASMailbox -Identity ${c.user} ${CAS_SWITCH[c.protocol]}`,
  );
  const text = list.map((x, i) => `(${i + 1}) ${x}`).join(' ');
  return c.claimsVerified
    ? `${text}. The token itself looked right (audience, tenant, permission and expiry were checked), so the cause is most likely on the Exchange side`
    : text;
}

/** Explains a rejected XOAUTH2 login from the server's reply. */
export function explainAuthFailure(reply: string, c: AuthContext): Explanation {
  const r = oneLine(reply, 400);
  const quoted = `the server answered: "${r}"`;
  if (c.protocol === 'smtp') {
    if (/5\.7\.139/.test(r) && /SmtpClientAuthentication is disabled for the Tenant/i.test(r)) {
      return {
        detail: `SMTP AUTH is turned off for the whole tenant; ${quoted}`,
        remedy: `Enable SMTP AUTH for this mailbox only: Set-CASMailbox -Identity ${c.user} -SmtpClientAuthenticationDisabled $false (a mailbox setting overrides the tenant's), or for the whole tenant: Set-TransportConfig -SmtpClientAuthenticationDisabled $false. Entra "security defaults" also block SMTP AUTH. ${PS_NOTE}`,
      };
    }
    if (/5\.7\.139/.test(r) && /SmtpClientAuthentication is disabled for the Mailbox/i.test(r)) {
      return {
        detail: `SMTP AUTH is turned off for the mailbox ${c.user}; ${quoted}`,
        remedy: `Set-CASMailbox -Identity ${c.user} -SmtpClientAuthenticationDisabled $false (or $null to inherit the tenant setting, Get-TransportConfig | fl SmtpClientAuthenticationDisabled). ${PS_NOTE}`,
      };
    }
    if (/5\.7\.139/.test(r) && /basic authentication is disabled/i.test(r)) {
      return {
        detail: `Exchange refused the login as Basic authentication ("basic authentication is disabled"); ${quoted}`,
        remedy: `Password (Basic) logins are off for this account; this check used OAuth (XOAUTH2), so SMTP AUTH itself is blocked for the mailbox: Set-CASMailbox -Identity ${c.user} -SmtpClientAuthenticationDisabled $false (tenant-wide: Set-TransportConfig -SmtpClientAuthenticationDisabled $false). For Outlook.com (personal) accounts use --flow delegated with the https://outlook.office.com/SMTP.Send scope. ${PS_NOTE}`,
      };
    }
    if (/5\.7\.139/.test(r) && /security defaults/i.test(r)) {
      return {
        detail: `the sign-in is blocked by the tenant's security defaults; ${quoted}`,
        remedy:
          'Security defaults turn SMTP AUTH off. An administrator can replace security defaults with Conditional Access policies that allow this app, or send through Microsoft Graph sendMail instead.',
      };
    }
    if (/5\.7\.139/.test(r) && /did not meet the criteria/i.test(r)) {
      return {
        detail: `a Conditional Access or authentication policy refused the login; ${quoted}`,
        remedy:
          'Check the Entra sign-in logs for the mailbox / app and the policy that applied; exclude this app or location if appropriate.',
      };
    }
    if (/5\.7\.30/.test(r)) {
      return {
        detail: `Exchange says Basic authentication is not supported for client submission; ${quoted}`,
        remedy:
          'Only OAuth (AUTH XOAUTH2) is accepted: migrate the code (mail-oauth-migrate fix) and make sure no password login remains.',
      };
    }
    if (/5\.7\.57/.test(r)) {
      return {
        detail: `the client is not authenticated; ${quoted}`,
        remedy: `SMTP AUTH may be disabled: Set-CASMailbox -Identity ${c.user} -SmtpClientAuthenticationDisabled $false. ${PS_NOTE}`,
      };
    }
    if (/^4\d\d/.test(r)) {
      return {
        detail: `temporary failure; ${quoted}`,
        remedy: 'Try again in a few minutes; if it persists, check the Microsoft 365 service health.',
      };
    }
    if (/5\.7\.3|^535/.test(r)) {
      return {
        detail: `Exchange rejected the token (535 5.7.3 is its generic answer to a bad OAuth login); ${quoted}`,
        remedy: `Likely causes, most likely first: ${causesForRejectedToken(c)}. ${PS_NOTE}`,
      };
    }
  }
  if (c.protocol === 'imap' && /AccessTokenExpired/i.test(r)) {
    return {
      detail: `the token expired; ${quoted}`,
      remedy: 'Get a fresh token for every login (and reconnect long IDLE sessions with a new one).',
    };
  }
  if (/\[(UNAVAILABLE|SYS\/TEMP)\]|temporar/i.test(r)) {
    return { detail: `temporary server-side failure; ${quoted}`, remedy: 'Try again in a few minutes.' };
  }
  // IMAP "NO AUTHENTICATE failed." / "NO [AUTHENTICATIONFAILED] ..."; POP "-ERR Authentication failure ..." / "-ERR [AUTH] ..."
  return {
    detail: `${PROTOCOL_NAME[c.protocol]} rejected the XOAUTH2 login; ${quoted}`,
    remedy: `Likely causes, most likely first: ${causesForRejectedToken(c)}. ${PS_NOTE}`,
  };
}

/** Explains a refused MAIL FROM (SMTP Send As check). */
export function explainMailFromFailure(
  reply: string,
  c: { user: string; from: string; flow: Flow; clientId?: string },
): Explanation {
  const r = oneLine(reply, 400);
  const quoted = `the server answered: "${r}"`;
  const trustee = c.flow === 'app' ? '<Enterprise application Object ID>' : c.user;
  if (/SendAsDen|5\.2\.252|5\.7\.60|permission to send as|not allowed to send as/i.test(r)) {
    return {
      detail: `${c.user} may not send as ${c.from} (Send As denied); ${quoted}`,
      remedy: `Grant Send As on ${c.from}: Add-RecipientPermission -Identity ${c.from} -Trustee ${trustee} -AccessRights SendAs -Confirm:$false (Exchange Online PowerShell; takes up to an hour), or send From the authenticated mailbox ${c.user} itself.`,
    };
  }
  if (/5\.7\.57|^530/.test(r)) {
    return {
      detail: `the session is not authenticated; ${quoted}`,
      remedy: `Enable SMTP AUTH: Set-CASMailbox -Identity ${c.user} -SmtpClientAuthenticationDisabled $false.`,
    };
  }
  if (/5\.1\.8|5\.7\.70[58]/.test(r)) {
    return {
      detail: `the sender or tenant is blocked from sending (outbound spam protection); ${quoted}`,
      remedy:
        'An administrator must release the user in the Microsoft Defender portal (Restricted entities) and check for compromise.',
    };
  }
  if (/^4\d\d/.test(r)) {
    return { detail: `temporary failure; ${quoted}`, remedy: 'Try again in a few minutes.' };
  }
  return {
    detail: `MAIL FROM:<${c.from}> was refused; ${quoted}`,
    remedy: `Check that ${c.from} is a valid sender for ${c.user} (Send As rights: Add-RecipientPermission).`,
  };
}
