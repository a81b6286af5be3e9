// Local stand-in for Entra ID (login.microsoftonline.com), good enough for
// @azure/msal-node: client-credentials, device-code and refresh-token grants,
// OIDC discovery, instance discovery, JWKS, and an RFC 7662 introspection
// endpoint for Dovecot. HTTPS only, bound to 127.0.0.1. Requests are logged to stdout.
// Errors use Entra's JSON shape: {error, error_description: "AADSTSnnn: ...\r\nTrace ID: ...",
// error_codes, timestamp, trace_id, correlation_id, error_uri}.
// Test-only endpoints (no tenant prefix): GET /_lab/health, GET|POST|DELETE /_lab/faults,
// POST /_lab/mint, POST /_lab/revoke, POST /devicelogin (see test/lab/README.md).
import https from 'node:https';
import crypto from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, jwtVerify, exportJWK, importJWK } from 'jose';
import {
  lab,
  HOST,
  ports,
  TLS_CERT,
  TLS_KEY,
  RUN_DIR,
  ISSUER,
  RESOURCE,
  GRAPH_RESOURCE,
  AUDIENCES,
  AUTHORITY_ORIGIN,
  discoveryDocument,
  instanceDiscoveryDocument,
  PERMISSIONS,
} from '../lib/config.mjs';
import { currentFaults, faultsFromEnv, validateFaults, writeFaults } from '../lib/faults.mjs';
import { exitOnSignals } from '../lib/serve.mjs';

const log = (...a) => console.log(new Date().toISOString(), '[authority]', ...a);

// ---- fault state: baseline from env, persisted for the other servers --------
const baselineFaults = faultsFromEnv();
writeFaults(baselineFaults);
const ttl = () => Number(currentFaults().tokenTtlSeconds || lab.tokenTtlSeconds || 3599);

// ---- signing key (fresh per start, public half published as JWKS) ----------
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = crypto
  .createHash('sha256')
  .update(publicKey.export({ type: 'spki', format: 'der' }))
  .digest('base64url')
  .slice(0, 27);
const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
const jwks = { keys: [publicJwk] };
writeFileSync(path.join(RUN_DIR, 'jwks.json'), JSON.stringify(jwks));
writeFileSync(
  path.join(RUN_DIR, 'jwt-signing-public.pem'),
  publicKey.export({ type: 'spki', format: 'pem' }),
);
const verifyKey = await importJWK(publicJwk, 'RS256');

const apps = new Map(lab.apps.map((a) => [a.clientId, a]));

// ---- certificate credentials -------------------------------------------------
// Apps with "certificate": true get a key pair per lab start, written for the tests to
// RUN_DIR/certs/app-<clientId>.key (PKCS#8 PEM, the private key an app would load) and
// app-<clientId>.thumbprint (the SHA-256 thumbprint in hex, as Entra shows it). Entra's thumbprint
// is over the certificate; here it is over the public key, which plays the certificate's part
// (MSAL only sends the private key's signature and the thumbprint).
const appCerts = new Map(); // clientId -> { publicKey, sha256: base64url, sha1: base64url }
for (const app of lab.apps.filter((a) => a.certificate)) {
  const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  const sha256 = crypto.createHash('sha256').update(der).digest();
  const sha1 = crypto.createHash('sha1').update(der).digest();
  mkdirSync(path.join(RUN_DIR, 'certs'), { recursive: true });
  writeFileSync(
    path.join(RUN_DIR, 'certs', `app-${app.clientId}.key`),
    pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );
  writeFileSync(
    path.join(RUN_DIR, 'certs', `app-${app.clientId}.thumbprint`),
    sha256.toString('hex').toUpperCase(),
  );
  appCerts.set(app.clientId, {
    publicKey: pair.publicKey,
    sha256: sha256.toString('base64url'),
    sha1: sha1.toString('base64url'),
  });
}

/**
 * Checks a client assertion (RFC 7523 private_key_jwt) as Entra does: signed (PS256 or RS256) by the key
 * of a certificate registered on the app (matched by the x5t#S256 / x5t header), for this token endpoint,
 * by and about the app, within its validity. Returns an AADSTS code or 0.
 */
async function checkAssertion(assertion, app, tokenUrl) {
  let header;
  try {
    header = JSON.parse(Buffer.from(assertion.split('.')[0], 'base64url').toString());
  } catch {
    return 700027;
  }
  const cert = appCerts.get(app.clientId);
  if (!cert || (header['x5t#S256'] ? header['x5t#S256'] !== cert.sha256 : header.x5t !== cert.sha1)) {
    return 700027; // the certificate used to sign is not registered on the app
  }
  try {
    await jwtVerify(assertion, cert.publicKey, {
      algorithms: ['PS256', 'RS256'],
      audience: [tokenUrl, `${AUTHORITY_ORIGIN}/${lab.tenantId}/oauth2/v2.0/token`],
      issuer: app.clientId,
      subject: app.clientId,
      clockTolerance: 300,
    });
  } catch (e) {
    return e?.code === 'ERR_JWT_EXPIRED' ||
      (e?.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && /nbf|iat/.test(e.claim || ''))
      ? 700024
      : 700027;
  }
  return 0;
}
const publicClients = new Map(lab.publicClients.map((c) => [c.clientId, c]));
const users = new Set(lab.users.map((u) => u.toLowerCase()));
const deviceCodes = new Map(); // device_code -> {userCode, clientId, scopes, expires, approvedUser, denied}
const refreshTokens = new Map(); // rt -> {user, clientId, scopes}
const revoked = new Set(); // uti values revoked via /_lab/revoke

const now = () => Math.floor(Date.now() / 1000);
const oid = (s) => {
  const h = crypto.createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

async function sign(claims, lifetime = ttl()) {
  const t = now();
  return new SignJWT({ ...claims, uti: crypto.randomBytes(16).toString('base64url') })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
    .setIssuer(ISSUER)
    .setIssuedAt(t)
    .setNotBefore(t - 5)
    .setExpirationTime(t + lifetime)
    .sign(privateKey);
}

function aadError(res, status, error, description, code = 0, headers = {}) {
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  const trace_id = crypto.randomUUID();
  const correlation_id = crypto.randomUUID();
  send(
    res,
    status,
    {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${trace_id}\r\nCorrelation ID: ${correlation_id}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id,
      correlation_id,
      error_uri: `${AUTHORITY_ORIGIN}/error?code=${code}`,
    },
    headers,
  );
}
function send(res, status, body, headers = {}) {
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store, no-cache',
    'x-ms-request-id': crypto.randomUUID(),
    ...headers,
  });
  res.end(data);
}

// ---- Entra errors, also injectable with the tokenError fault ----------------
// ctx: {clientId, app, resource, tenant}
const AADSTS = {
  7000215: {
    status: 401,
    error: 'invalid_client',
    msg: (c) =>
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${c.clientId}'.`,
  },
  7000218: {
    status: 401,
    error: 'invalid_client',
    msg: () =>
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  7000222: {
    status: 401,
    error: 'invalid_client',
    msg: (c) =>
      `The provided client secret keys for app '${c.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
  },
  700016: {
    status: 400,
    error: 'unauthorized_client',
    msg: (c) =>
      `Application with identifier '${c.clientId}' was not found in the directory '${lab.tenantDisplayName || lab.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  },
  7000112: {
    status: 400,
    error: 'unauthorized_client',
    msg: (c) => `Application '${c.clientId}'(${c.app?.displayName || 'app'}) is disabled.`,
  },
  1002012: {
    status: 400,
    error: 'invalid_scope',
    msg: (c) =>
      `The provided value for scope ${c.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  },
  70011: {
    status: 400,
    error: 'invalid_scope',
    msg: (c) =>
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${c.scope} is not valid.`,
  },
  500011: {
    status: 400,
    error: 'invalid_resource',
    msg: (c) =>
      `The resource principal named ${c.resource} was not found in the tenant named ${lab.tenantDisplayName || lab.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  },
  90002: {
    status: 400,
    error: 'invalid_tenant',
    msg: (c) =>
      `Tenant '${c.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  },
  53003: {
    status: 400,
    error: 'invalid_grant',
    msg: () =>
      'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
  },
  65001: {
    status: 400,
    error: 'invalid_grant',
    msg: (c) =>
      `The user or administrator has not consented to use the application with ID '${c.clientId}' named '${c.app?.displayName || 'app'}'. Send an interactive authorization request for this user and resource.`,
  },
  50076: {
    status: 400,
    error: 'invalid_grant',
    msg: (c) =>
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${c.resource || RESOURCE}'.`,
  },
  700082: {
    status: 400,
    error: 'invalid_grant',
    msg: () =>
      'The refresh token has expired due to inactivity. The token was issued on 2025-01-01T00:00:00.0000000Z and was inactive for 90.00:00:00.',
  },
  700027: {
    status: 401,
    error: 'invalid_client',
    msg: (c) =>
      `Client assertion failed signature validation. The certificate used to sign the client assertion is not registered on application '${c.clientId}', or the signature does not match it.`,
  },
  700024: {
    status: 400,
    error: 'invalid_client',
    msg: () => 'Client assertion is not within its valid time range.',
  },
  70003: {
    status: 400,
    error: 'unsupported_grant_type',
    msg: (c) => `The app requested an unsupported grant type '${c.grant}'.`,
  },
};
function aadsts(res, code, ctx = {}, headers) {
  const e = AADSTS[code];
  return aadError(res, e.status, e.error, e.msg(ctx), code, headers);
}

// tokenError fault: "AADSTS7000222" | 7000222 | {code, status?, error?, description?, grantTypes?, clientIds?, retryAfter?}
function injectedTokenError(res, form, ctx) {
  let f = currentFaults().tokenError;
  if (f === null || f === undefined || f === false) return false;
  if (typeof f !== 'object') f = { code: Number(String(f).replace(/^AADSTS/i, '')) };
  if (f.grantTypes && !f.grantTypes.includes(form.grant_type)) return false;
  if (f.clientIds && !f.clientIds.includes(ctx.clientId)) return false;
  const code = Number(f.code || 0);
  const preset = AADSTS[code];
  const status = Number(f.status || preset?.status || 400);
  const headers = f.retryAfter ? { 'retry-after': String(f.retryAfter) } : {};
  log(`injected token error AADSTS${code} status=${status}`);
  aadError(
    res,
    status,
    f.error || preset?.error || 'invalid_request',
    f.description || preset?.msg(ctx) || 'Injected lab error.',
    code,
    headers,
  );
  return true;
}

// Split "https://outlook.office365.com/IMAP.AccessAsUser.All openid" into resource + bare scopes.
function parseScopes(scopeStr) {
  const out = { resource: null, scopes: [], oidc: [] };
  for (const s of (scopeStr || '').split(/\s+/).filter(Boolean)) {
    if (['openid', 'profile', 'email', 'offline_access'].includes(s)) {
      out.oidc.push(s);
      continue;
    }
    const i = s.lastIndexOf('/');
    if (i < 0) {
      out.scopes.push(s);
      continue;
    }
    const resource = s.slice(0, i);
    if (out.resource && out.resource !== resource)
      throw new Error('AADSTS28000: scopes for more than one resource');
    out.resource = resource;
    out.scopes.push(s.slice(i + 1));
  }
  return out;
}

function clientAuth(req, form) {
  let id = form.client_id;
  let secret = form.client_secret;
  const h = req.headers.authorization || '';
  if (h.startsWith('Basic ')) {
    const raw = Buffer.from(h.slice(6), 'base64').toString();
    const i = raw.indexOf(':');
    id = decodeURIComponent(i < 0 ? raw : raw.slice(0, i));
    secret = decodeURIComponent(i < 0 ? '' : raw.slice(i + 1));
  }
  return { id, secret };
}

async function userTokens(user, clientId, scopeInfo) {
  const upn = user.toLowerCase();
  const delegated = scopeInfo.scopes.filter((s) => Object.values(PERMISSIONS).some((p) => p.user === s));
  const tid = lab.tenantId;
  const lifetime = ttl();
  const access_token = await sign(
    {
      aud: scopeInfo.resource || RESOURCE,
      tid,
      oid: oid(upn),
      sub: oid(`${upn}|${clientId}`),
      appid: clientId,
      azp: clientId,
      scp: delegated.join(' '),
      upn,
      unique_name: upn,
      preferred_username: upn,
      email: upn,
      name: upn.split('@')[0],
      ver: '1.0',
      idtyp: 'user',
    },
    lifetime,
  );
  const id_token = await sign(
    {
      aud: clientId,
      tid,
      oid: oid(upn),
      sub: oid(`${upn}|${clientId}`),
      preferred_username: upn,
      name: upn.split('@')[0],
      ver: '2.0',
    },
    lifetime,
  );
  const body = {
    token_type: 'Bearer',
    scope: [...scopeInfo.scopes.map((s) => `${scopeInfo.resource || RESOURCE}/${s}`), ...scopeInfo.oidc].join(
      ' ',
    ),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token,
    id_token,
    client_info: Buffer.from(JSON.stringify({ uid: oid(upn), utid: tid })).toString('base64url'),
  };
  if (scopeInfo.oidc.includes('offline_access')) {
    body.refresh_token = crypto.randomBytes(32).toString('base64url');
    refreshTokens.set(body.refresh_token, { user: upn, clientId, scopeInfo });
  }
  return body;
}

async function tokenEndpoint(req, res, form, tenant) {
  const grant = form.grant_type;
  if (grant === 'client_credentials') {
    const { id, secret } = clientAuth(req, form);
    const app = apps.get(id);
    const scope = (form.scope || '').trim();
    const ctx = { clientId: id, app, scope, tenant, grant };
    if (!app) return aadsts(res, 700016, ctx);
    if (injectedTokenError(res, form, ctx)) return undefined;
    if (
      form.client_assertion &&
      form.client_assertion_type === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
    ) {
      const tokenUrl = `${AUTHORITY_ORIGIN}/${tenant}/oauth2/v2.0/token`;
      const code = await checkAssertion(form.client_assertion, app, tokenUrl);
      if (code) return aadsts(res, code, ctx);
    } else {
      if (!secret) return aadsts(res, 7000218, ctx);
      if (secret !== app.clientSecret) return aadsts(res, 7000215, ctx);
    }
    if (!scope.endsWith('/.default') || scope.includes(' ')) return aadsts(res, 1002012, ctx);
    const resource = scope.slice(0, -'/.default'.length);
    if (resource !== RESOURCE && resource !== GRAPH_RESOURCE)
      return aadsts(res, 500011, { ...ctx, resource });
    // Exchange Online (outlook.office365.com) and Microsoft Graph are separate resources with separate app roles
    const roles = resource === GRAPH_RESOURCE ? app.graphRoles || [] : app.roles || [];
    const lifetime = ttl();
    const claims = {
      aud: (resource === GRAPH_RESOURCE && currentFaults().graphTokenAudience) || resource,
      tid: lab.tenantId,
      oid: oid(`sp|${id}`),
      sub: oid(`sp|${id}`),
      appid: id,
      azp: id,
      app_displayname: app.displayName,
      appidacr: '1',
      idtyp: 'app',
      ver: '1.0',
    };
    if (roles.length) claims.roles = roles; // Entra omits "roles" when the app has no granted app roles
    const access_token = await sign(claims, lifetime);
    log(`issued app token for ${id} aud=${claims.aud} roles=${roles.join(',') || '(none)'} ttl=${lifetime}s`);
    return send(res, 200, {
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token,
    });
  }
  // MSAL sends the short Entra form grant_type=device_code; accept the RFC 8628 URN too.
  if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
    const dc = deviceCodes.get(form.device_code);
    if (!dc || dc.clientId !== form.client_id)
      return aadError(
        res,
        400,
        'invalid_grant',
        "The provided value for the input parameter 'device_code' is not valid.",
        70000,
      );
    if (now() > dc.expires) {
      deviceCodes.delete(form.device_code);
      return aadError(
        res,
        400,
        'expired_token',
        "The provided value for the input parameter 'device_code' is expired.",
        70019,
      );
    }
    if (dc.denied) {
      deviceCodes.delete(form.device_code);
      return aadError(res, 400, 'authorization_declined', 'The user declined the authorization.', 70000);
    }
    if (!dc.approvedUser)
      return aadError(
        res,
        400,
        'authorization_pending',
        'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
        70016,
      );
    if (
      injectedTokenError(res, form, { clientId: dc.clientId, resource: dc.scopeInfo.resource, tenant, grant })
    ) {
      deviceCodes.delete(form.device_code);
      return undefined;
    }
    deviceCodes.delete(form.device_code);
    log(`device code ${dc.userCode} redeemed for ${dc.approvedUser}`);
    return send(res, 200, await userTokens(dc.approvedUser, dc.clientId, dc.scopeInfo));
  }
  if (grant === 'refresh_token') {
    const rt = refreshTokens.get(form.refresh_token);
    if (!rt || rt.clientId !== form.client_id)
      return aadError(
        res,
        400,
        'invalid_grant',
        'The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.',
        700082,
      );
    if (
      injectedTokenError(res, form, { clientId: rt.clientId, resource: rt.scopeInfo.resource, tenant, grant })
    )
      return undefined;
    refreshTokens.delete(form.refresh_token);
    let scopeInfo = rt.scopeInfo;
    try {
      const asked = parseScopes(form.scope);
      if (asked.scopes.length)
        scopeInfo = { ...asked, oidc: [...new Set([...asked.oidc, 'offline_access'])] };
    } catch {
      /* keep original */
    }
    return send(res, 200, await userTokens(rt.user, rt.clientId, scopeInfo));
  }
  return aadsts(res, 70003, { grant });
}

function deviceCodeEndpoint(res, form, tenant) {
  if (!publicClients.has(form.client_id)) return aadsts(res, 700016, { clientId: form.client_id, tenant });
  let scopeInfo;
  try {
    scopeInfo = parseScopes(form.scope);
  } catch (e) {
    return aadError(res, 400, 'invalid_scope', e.message.replace(/^AADSTS\d+: /, ''), 28000);
  }
  const device_code = crypto.randomBytes(24).toString('base64url');
  const user_code = crypto.randomBytes(5).toString('hex').toUpperCase().slice(0, 9);
  const verification_uri = `https://${HOST}:${ports.oauth}/devicelogin`;
  deviceCodes.set(device_code, {
    userCode: user_code,
    clientId: form.client_id,
    scopeInfo,
    expires: now() + 900,
  });
  log(`device code issued user_code=${user_code}`);
  send(res, 200, {
    user_code,
    device_code,
    verification_uri,
    expires_in: 900,
    interval: 1,
    message: `To sign in, use a web browser to open the page ${verification_uri} and enter the code ${user_code} to authenticate.`,
  });
}

// Test hook standing in for the user typing the code into the browser:
// POST /devicelogin  user_code=...&username=alice@lab.test[&deny=1]
function deviceLogin(res, form) {
  const entry = [...deviceCodes.values()].find(
    (d) => d.userCode === String(form.user_code || '').toUpperCase(),
  );
  if (!entry) return send(res, 404, { error: 'unknown user_code' });
  if (form.deny) {
    entry.denied = true;
    return send(res, 200, { denied: true });
  }
  const user = String(form.username || '').toLowerCase();
  if (!users.has(user)) return send(res, 403, { error: `unknown user ${user}` });
  entry.approvedUser = user;
  log(`device code ${entry.userCode} approved by ${user}`);
  return send(res, 200, { approved: true, user });
}

// Validates a token the way a resource server would. `service` is imap|pop3|smtp.
async function inspect(token, service) {
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(token, verifyKey, {
      issuer: ISSUER,
      audience: AUDIENCES,
      algorithms: ['RS256'],
    }));
  } catch (e) {
    return { active: false, reason: `${e.code || 'invalid'}: ${e.message}` };
  }
  if (revoked.has(claims.uti)) return { active: false, reason: 'revoked' };
  if (service && (currentFaults().disabledProtocols || []).includes(service))
    return { active: false, reason: `protocol ${service} disabled (fault)` };
  const perm = PERMISSIONS[service];
  if (claims.idtyp === 'app') {
    const app = apps.get(claims.appid);
    if (!app) return { active: false, reason: 'unknown app' };
    if (perm && !(claims.roles || []).includes(perm.app))
      return { active: false, email: app.mailbox, reason: `missing role ${perm.app}` };
    return {
      active: true,
      email: app.mailbox,
      client_id: claims.appid,
      sub: claims.sub,
      exp: claims.exp,
      lab_token_kind: 'app',
    };
  }
  const scp = (claims.scp || '').split(' ');
  if (perm && !scp.includes(perm.user))
    return { active: false, email: claims.upn, reason: `missing scope ${perm.user}` };
  return {
    active: true,
    email: claims.upn,
    client_id: claims.appid,
    sub: claims.sub,
    exp: claims.exp,
    scope: claims.scp,
    lab_token_kind: 'user',
  };
}

async function readBody(req) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > 65536) throw new Error('body too large');
    chunks.push(c);
  }
  const raw = Buffer.concat(chunks).toString();
  if ((req.headers['content-type'] || '').includes('application/json')) return raw ? JSON.parse(raw) : {};
  return Object.fromEntries(new URLSearchParams(raw));
}

async function labEndpoints(req, res, url, form) {
  if (req.method === 'GET' && url.pathname === '/_lab/health')
    return send(res, 200, { ok: true, issuer: ISSUER, pid: process.pid, runDir: RUN_DIR });
  // Fault injection: GET -> current, POST {..} -> merge into current, DELETE -> back to the start-time baseline.
  if (url.pathname === '/_lab/faults') {
    if (req.method === 'GET') return send(res, 200, currentFaults());
    if (req.method === 'DELETE') {
      writeFaults({ ...baselineFaults });
      log('faults reset');
      return send(res, 200, currentFaults());
    }
    if (req.method === 'POST' || req.method === 'PUT') {
      try {
        const next = validateFaults({
          ...(req.method === 'POST' ? currentFaults() : baselineFaults),
          ...form,
        });
        writeFaults(next);
        log(`faults set ${JSON.stringify(form)}`);
        return send(res, 200, next);
      } catch (e) {
        return send(res, 400, { error: e.message });
      }
    }
  }
  if (req.method === 'POST' && url.pathname === '/devicelogin') return deviceLogin(res, form);
  // Mint a token with arbitrary claims / lifetime (expired, wrong aud, missing scope...).
  // Body (JSON): {"claims": {...}, "ttl": -60}
  if (req.method === 'POST' && url.pathname === '/_lab/mint') {
    const claims = { aud: RESOURCE, tid: lab.tenantId, ver: '1.0', ...(form.claims || {}) };
    return send(res, 200, { access_token: await sign(claims, Number(form.ttl ?? ttl())) });
  }
  if (req.method === 'POST' && url.pathname === '/_lab/revoke') {
    try {
      const { payload } = await jwtVerify(form.token, verifyKey);
      revoked.add(payload.uti);
      return send(res, 200, { revoked: true });
    } catch (e) {
      return send(res, 400, { error: e.message });
    }
  }
  return false;
}

const server = https.createServer(
  { cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) },
  async (req, res) => {
    const url = new URL(req.url, `https://${req.headers.host || HOST}`);
    const parts = url.pathname.split('/').filter(Boolean);
    const tenant = parts[0];
    const tenantOk = tenant === lab.tenantId || ['common', 'organizations'].includes(tenant);
    const rest = '/' + parts.slice(1).join('/');
    try {
      const form = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : {};
      log(
        `${req.method} ${url.pathname}${url.search}${form.grant_type ? ` grant_type=${form.grant_type}` : ''}`,
      );
      if (url.pathname.startsWith('/_lab/') || url.pathname === '/devicelogin') {
        const r = await labEndpoints(req, res, url, form);
        if (r !== false) return r;
      }
      // Instance discovery (what MSAL calls for authorities it does not know,
      // when knownAuthorities / cloudDiscoveryMetadata are not given).
      if (req.method === 'GET' && rest === '/discovery/instance') {
        const ae = url.searchParams.get('authorization_endpoint') || '';
        const t = (ae.match(/^https:\/\/[^/]+\/([^/]+)\//) || [])[1] || lab.tenantId;
        return send(res, 200, instanceDiscoveryDocument(t));
      }
      if (!tenantOk) {
        if (req.method === 'GET') return aadsts(res, 90002, { tenant });
        return aadError(res, 400, 'invalid_request', AADSTS[90002].msg({ tenant }), 90002);
      }
      if (
        req.method === 'GET' &&
        (rest === '/v2.0/.well-known/openid-configuration' || rest === '/.well-known/openid-configuration')
      ) {
        const doc = discoveryDocument(tenant);
        if (tenant !== lab.tenantId) doc.issuer = `${AUTHORITY_ORIGIN}/{tenantid}/v2.0`; // as Entra does for common/organizations
        return send(res, 200, doc);
      }
      if (req.method === 'GET' && rest === '/discovery/v2.0/keys') return send(res, 200, jwks);
      if (req.method === 'POST' && rest === '/oauth2/v2.0/token')
        return await tokenEndpoint(req, res, form, tenant);
      if (req.method === 'POST' && rest === '/oauth2/v2.0/devicecode')
        return deviceCodeEndpoint(res, form, tenant);
      if (req.method === 'POST' && rest === '/oauth2/v2.0/introspect') {
        // Dovecot 2.3 (send_auth_headers = yes) names the protocol in X-Dovecot-Auth-Service.
        const service = String(
          req.headers['x-dovecot-auth-service'] ||
            req.headers['x-dovecot-auth-protocol'] ||
            form.service ||
            '',
        ).toLowerCase();
        if (process.env.LAB_DEBUG)
          log('introspect headers', JSON.stringify(req.headers), 'form keys', Object.keys(form).join(','));
        const r = await inspect(form.token || '', service);
        log(
          `introspect service=${service || '-'} active=${r.active} email=${r.email || '-'}${r.reason ? ` reason=${r.reason}` : ''}`,
        );
        // Always 200 and always an "email" field: Dovecot treats a non-200 or a
        // missing username attribute as a *temporary* failure instead of a bad token.
        return send(res, 200, { email: '', ...r });
      }
      return aadError(res, 404, 'not_found', `No route for ${req.method} ${url.pathname}`, 90000);
    } catch (e) {
      log('ERROR', e.stack || e);
      return aadError(res, 500, 'server_error', String(e.message || e), 90001);
    }
  },
);
server.listen(ports.oauth, HOST, () =>
  log(
    `listening on https://${HOST}:${ports.oauth} issuer=${ISSUER} faults=${JSON.stringify(baselineFaults)}`,
  ),
);
exitOnSignals(server, log);
