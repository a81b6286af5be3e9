// Shared settings for every lab component. Ports and paths come from the
// environment (labctl.sh exports them); identities come from lab.config.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const LAB_DIR = path.resolve(here, '..'); // <repo>/test/lab
export const REPO_DIR = path.resolve(LAB_DIR, '..', '..');
const cfgFile = process.env.LAB_CONFIG || path.join(LAB_DIR, 'lab.config.json');
export const lab = JSON.parse(readFileSync(cfgFile, 'utf8'));

const env = process.env;
export const HOST = '127.0.0.1';
export const ports = {
  oauth: Number(env.LAB_OAUTH_PORT || 18443),
  smtp: Number(env.LAB_SMTP_PORT || 18587), // plain + STARTTLS
  smtps: Number(env.LAB_SMTPS_PORT || 18465), // implicit TLS
  imap: Number(env.LAB_IMAP_PORT || 18143),
  imaps: Number(env.LAB_IMAPS_PORT || 18993),
  pop3: Number(env.LAB_POP3_PORT || 18110),
  pop3s: Number(env.LAB_POP3S_PORT || 18995),
  graph: Number(env.LAB_GRAPH_PORT || 18444), // Microsoft Graph sendMail stand-in (HTTPS)
};
// Runtime state (certs, pids, logs, rendered config, outbox) lives in the
// gitignored <repo>/.test-tmp/lab unless LAB_RUN says otherwise.
export const RUN_DIR = env.LAB_RUN || path.join(REPO_DIR, '.test-tmp', 'lab');
export const CA_FILE = path.join(RUN_DIR, 'certs', 'ca.crt');
export const TLS_CERT = path.join(RUN_DIR, 'certs', 'server.crt');
export const TLS_KEY = path.join(RUN_DIR, 'certs', 'server.key');
// Maildirs are read by Dovecot as uid nobody; labctl.sh may move them out of
// RUN_DIR when RUN_DIR is not reachable for that uid (see README).
export const MAIL_DIR = env.LAB_MAIL_DIR || path.join(RUN_DIR, 'mail');
export const FAULTS_FILE = path.join(RUN_DIR, 'faults.json');

export const AUTHORITY_HOST = `${HOST}:${ports.oauth}`;
export const AUTHORITY_ORIGIN = `https://${AUTHORITY_HOST}`;
export const AUTHORITY = `${AUTHORITY_ORIGIN}/${lab.tenantId}`;
export const ISSUER = `${AUTHORITY}/v2.0`;
export const RESOURCE = lab.resource; // https://outlook.office365.com
// Exchange Online accepts tokens for both resource names; Microsoft's docs request delegated
// scopes as https://outlook.office.com/<permission>.
export const AUDIENCES = [RESOURCE, 'https://outlook.office.com'];
// Microsoft Graph: a separate resource with its own app roles (lab.config.json graphRoles).
export const GRAPH_RESOURCE = lab.graphResource || 'https://graph.microsoft.com';
export const GRAPH_ENDPOINT = `https://${HOST}:${ports.graph}`; // stands in for https://graph.microsoft.com

// OIDC discovery document, same shape as Entra's v2.0 one. `tenant` is the
// path segment the client used (tenant id, "common", "organizations").
export function discoveryDocument(tenant = lab.tenantId) {
  const base = `${AUTHORITY_ORIGIN}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: ISSUER,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${AUTHORITY_ORIGIN}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${base}/kerberos`,
    // Not in Entra's document: lets Dovecot find the RFC 7662 endpoint.
    introspection_endpoint: `${base}/oauth2/v2.0/introspect`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'lab.test',
    cloud_graph_host_name: 'graph.lab.test',
    msgraph_host: 'graph.lab.test',
    rbac_url: 'https://pas.lab.test',
  };
}

// Answer of the instance discovery endpoint (<origin>/common/discovery/instance),
// same shape as login.microsoftonline.com's.
export function instanceDiscoveryDocument(tenant = lab.tenantId) {
  return {
    tenant_discovery_endpoint: `${AUTHORITY_ORIGIN}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [
      { preferred_network: AUTHORITY_HOST, preferred_cache: AUTHORITY_HOST, aliases: [AUTHORITY_HOST] },
    ],
  };
}

// Minimal MSAL auth options for the lab: the authority host is not a Microsoft
// cloud host, so it must be in knownAuthorities; MSAL then fetches
// <authority>/v2.0/.well-known/openid-configuration from the lab (nothing else).
export function msalAuthOptions() {
  return { authority: AUTHORITY, knownAuthorities: [AUTHORITY_HOST] };
}

// Fully offline variant: no metadata request at all (the lab's original setup).
export function msalAuthOptionsOffline() {
  return {
    ...msalAuthOptions(),
    authorityMetadata: JSON.stringify(discoveryDocument()),
    cloudDiscoveryMetadata: JSON.stringify(instanceDiscoveryDocument()),
  };
}

// Which protocol needs which permission (same names as Exchange Online).
export const PERMISSIONS = {
  imap: { app: 'IMAP.AccessAsApp', user: 'IMAP.AccessAsUser.All' },
  pop3: { app: 'POP.AccessAsApp', user: 'POP.AccessAsUser.All' },
  smtp: { app: 'SMTP.SendAsApp', user: 'SMTP.Send' },
  graph: { app: 'Mail.Send', user: 'Mail.Send' }, // Microsoft Graph sendMail
};
