// Helpers for tests / app code running against the lab (they need the lab's
// env: NODE_EXTRA_CA_CERTS and the LAB_* ports, see lab.mjs / labctl.sh).
import dc from 'node:diagnostics_channel';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { lab, msalAuthOptions, AUTHORITY_ORIGIN } from './config.mjs';

export const OUTLOOK_DEFAULT = 'https://outlook.office365.com/.default';
export const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';
export const APP = lab.apps[0]; // daemon app with IMAP/POP/SMTP roles, mailbox shared@lab.test
export const APP_NO_ROLES = lab.apps.find((a) => !a.roles?.length); // same mailbox, no roles granted
export const PUBLIC_CLIENT = lab.publicClients[0];

// MSAL config objects exactly as application code would build them
// (authority + knownAuthorities only; the rest is fetched from the lab).
export function confidentialClientConfig(app = APP, extra = {}) {
  return { auth: { clientId: app.clientId, clientSecret: app.clientSecret, ...msalAuthOptions(), ...extra } };
}
export function publicClientConfig(client = PUBLIC_CLIENT, extra = {}) {
  return { auth: { clientId: client.clientId, ...msalAuthOptions(), ...extra } };
}

export async function appToken(app = APP, scope = OUTLOOK_DEFAULT) {
  const cca = new ConfidentialClientApplication(confidentialClientConfig(app));
  const r = await cca.acquireTokenByClientCredential({ scopes: [scope] });
  return r.accessToken;
}

// Device-code flow; the "user" is simulated by POSTing the code to /devicelogin.
export async function userToken(
  username,
  scopes = ['IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'SMTP.Send'],
  client = PUBLIC_CLIENT,
  resource = 'https://outlook.office365.com',
) {
  const pca = new PublicClientApplication(publicClientConfig(client));
  const r = await pca.acquireTokenByDeviceCode({
    scopes: scopes.map((s) => `${resource}/${s}`),
    deviceCodeCallback: (resp) => approveDeviceCode(resp, username),
  });
  return { accessToken: r.accessToken, result: r, pca };
}
export async function approveDeviceCode(resp, username) {
  const res = await fetch(resp.verificationUri, {
    method: 'POST',
    body: new URLSearchParams({ user_code: resp.userCode, username }),
  });
  if (!res.ok) throw new Error(`device login failed: ${res.status} ${await res.text()}`);
}

// Records every outbound request/connection made by undici (fetch, used by MSAL 7;
// kept-alive connections are reused, so requests are recorded too) and by net/tls.
// seen: origins like "https://127.0.0.1:18443"; requests: "GET https://.../path".
export function recordConnections() {
  const seen = new Set();
  const requests = [];
  const onRequest = ({ request }) => {
    seen.add(request.origin);
    requests.push(`${request.method} ${request.origin}${request.path}`);
  };
  const onUndici = ({ connectParams }) =>
    seen.add(`${connectParams.protocol}//${connectParams.hostname}:${connectParams.port}`);
  const onNet = ({ socket }) =>
    socket.once('connect', () => seen.add(`tcp://${socket.remoteAddress}:${socket.remotePort}`));
  dc.subscribe('undici:request:create', onRequest);
  dc.subscribe('undici:client:beforeConnect', onUndici);
  dc.subscribe('net.client.socket', onNet);
  return {
    seen,
    requests,
    stop() {
      dc.unsubscribe('undici:request:create', onRequest);
      dc.unsubscribe('undici:client:beforeConnect', onUndici);
      dc.unsubscribe('net.client.socket', onNet);
    },
  };
}

// SASL XOAUTH2 initial response.
export function xoauth2(user, token) {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
}

async function labFetch(method, pathname, body) {
  const res = await fetch(`${AUTHORITY_ORIGIN}${pathname}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// Test-only: ask the lab authority for a token with chosen claims/lifetime.
export async function mintToken(claims, ttl) {
  return (await labFetch('POST', '/_lab/mint', { claims, ttl })).access_token;
}
// Fault injection (see README): merge, read, reset to the start-time baseline.
export const setFaults = (faults) => labFetch('POST', '/_lab/faults', faults);
export const getFaults = () => labFetch('GET', '/_lab/faults');
export const resetFaults = () => labFetch('DELETE', '/_lab/faults');

// POP3 XOAUTH2 with node-pop3. Dovecot answers a bad token with a SASL
// continuation ("+ <base64 JSON>") that node-pop3 takes for success, so follow
// AUTH with NOOP: after a failed AUTH the server reads the NOOP line as the
// (empty) SASL answer and replies "-ERR [AUTH] Authentication failed.", which
// node-pop3 turns into a rejected promise.
export async function pop3AuthXoauth2(pop3, user, token, { twoStep = false } = {}) {
  await pop3.connect();
  if (twoStep) {
    // Microsoft's documented form: "AUTH XOAUTH2", "+ ", then the base64 line
    await pop3.command('AUTH', 'XOAUTH2');
    await pop3.command(xoauth2(user, token));
  } else {
    // SASL initial response on the AUTH line
    await pop3.command('AUTH', 'XOAUTH2', xoauth2(user, token));
  }
  await pop3.command('NOOP');
}
