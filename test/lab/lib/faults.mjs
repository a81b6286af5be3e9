// Fault injection state shared by the lab servers.
// Canonical state: <LAB_RUN>/faults.json, written by the authority (at start,
// from the LAB_* env vars below, and by POST/DELETE /_lab/faults). Every server
// re-reads it when its mtime changes, so a change applies to the next request
// without a restart.
//
// key                 env var at start                  effect
// tokenTtlSeconds     LAB_TOKEN_TTL_SECONDS (LAB_TOKEN_TTL)  lifetime (s) of tokens issued from now on
// smtpAuthDisabled    LAB_FAULT_SMTP_AUTH_DISABLED=1|tenant|mailbox
//                                                       SMTP AUTH -> 535 5.7.139 ... disabled for the Tenant|Mailbox
// smtpSendAsCheck     LAB_SMTP_SEND_AS_CHECK=mail-from|data|off
//                                                       where 554 5.2.252 SendAsDenied is raised (default mail-from)
// smtpXoauth2Failure  LAB_SMTP_XOAUTH2_FAILURE=o365|challenge   bad token -> 535 5.7.3 | 334 challenge then 535
// disabledProtocols   LAB_FAULT_DISABLED_PROTOCOLS=imap,pop3    introspection refuses logins for these protocols
// tokenError          LAB_FAULT_TOKEN_ERROR=<AADSTS code|JSON>  token endpoint answers this Entra error
// graphTokenAudience  LAB_FAULT_GRAPH_TOKEN_AUDIENCE=<aud>     app tokens asked for Graph carry this audience
//                                                       (a token for the wrong resource reaching Graph)
import { readFileSync, statSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { FAULTS_FILE, lab } from './config.mjs';

export const FAULT_KEYS = [
  'tokenTtlSeconds',
  'smtpAuthDisabled',
  'smtpSendAsCheck',
  'smtpXoauth2Failure',
  'disabledProtocols',
  'tokenError',
  'graphTokenAudience',
];

export function defaultFaults() {
  return {
    tokenTtlSeconds: Number(lab.tokenTtlSeconds || 3599),
    smtpAuthDisabled: false,
    smtpSendAsCheck: 'mail-from',
    smtpXoauth2Failure: 'o365',
    disabledProtocols: [],
    tokenError: null,
    graphTokenAudience: null,
  };
}

// Baseline = defaults overridden by the LAB_* env vars of the process (labctl start).
export function faultsFromEnv(env = process.env) {
  const f = defaultFaults();
  const ttl = env.LAB_TOKEN_TTL_SECONDS || env.LAB_TOKEN_TTL;
  if (ttl) f.tokenTtlSeconds = Number(ttl);
  const d = env.LAB_FAULT_SMTP_AUTH_DISABLED;
  if (d && !['0', 'false', 'no', ''].includes(d.toLowerCase()))
    f.smtpAuthDisabled = d === 'mailbox' ? 'mailbox' : 'tenant';
  if (env.LAB_SMTP_SEND_AS_CHECK) f.smtpSendAsCheck = env.LAB_SMTP_SEND_AS_CHECK;
  if (env.LAB_SMTP_XOAUTH2_FAILURE) f.smtpXoauth2Failure = env.LAB_SMTP_XOAUTH2_FAILURE;
  if (env.LAB_FAULT_DISABLED_PROTOCOLS)
    f.disabledProtocols = env.LAB_FAULT_DISABLED_PROTOCOLS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (env.LAB_FAULT_TOKEN_ERROR) {
    const v = env.LAB_FAULT_TOKEN_ERROR.trim();
    f.tokenError = v.startsWith('{') ? JSON.parse(v) : v;
  }
  if (env.LAB_FAULT_GRAPH_TOKEN_AUDIENCE) f.graphTokenAudience = env.LAB_FAULT_GRAPH_TOKEN_AUDIENCE;
  return validateFaults(f);
}

export function validateFaults(f) {
  for (const k of Object.keys(f))
    if (!FAULT_KEYS.includes(k)) throw new Error(`unknown fault key ${k} (known: ${FAULT_KEYS.join(', ')})`);
  if (f.tokenTtlSeconds !== undefined && !(Number.isFinite(f.tokenTtlSeconds) && f.tokenTtlSeconds > 0))
    throw new Error('tokenTtlSeconds must be a positive number');
  if (f.smtpAuthDisabled === true) f.smtpAuthDisabled = 'tenant';
  if (f.smtpAuthDisabled !== undefined && ![false, 'tenant', 'mailbox'].includes(f.smtpAuthDisabled))
    throw new Error('smtpAuthDisabled must be false, true, "tenant" or "mailbox"');
  if (f.smtpSendAsCheck !== undefined && !['mail-from', 'data', 'off'].includes(f.smtpSendAsCheck))
    throw new Error('smtpSendAsCheck must be mail-from, data or off');
  if (f.smtpXoauth2Failure !== undefined && !['o365', 'challenge'].includes(f.smtpXoauth2Failure))
    throw new Error('smtpXoauth2Failure must be o365 or challenge');
  if (f.disabledProtocols !== undefined && !Array.isArray(f.disabledProtocols))
    throw new Error('disabledProtocols must be an array');
  return f;
}

let cache = { stamp: '', value: null };

export function writeFaults(f) {
  mkdirSync(path.dirname(FAULTS_FILE), { recursive: true });
  const tmp = `${FAULTS_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(f, null, 2));
  renameSync(tmp, FAULTS_FILE);
  cache = { stamp: '', value: null };
}

// Current faults; falls back to the env baseline when the file is missing.
export function currentFaults() {
  try {
    const st = statSync(FAULTS_FILE);
    const stamp = `${st.ino}:${st.mtimeMs}:${st.size}`; // writeFaults renames, so every write is a new inode
    if (stamp !== cache.stamp || !cache.value)
      cache = { stamp, value: { ...defaultFaults(), ...JSON.parse(readFileSync(FAULTS_FILE, 'utf8')) } };
    return cache.value;
  } catch {
    return faultsFromEnv();
  }
}
