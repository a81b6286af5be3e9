// Programmatic access to the local XOAUTH2 test bed (see README.md):
//
//   import { startLab, isDovecotInstalled } from './lab.mjs';
//   const lab = await startLab();           // starts it (or reuses a running one)
//   spawn('node', ['app.js'], { env: { ...process.env, ...lab.env } });
//   await lab.setFaults({ smtpAuthDisabled: true });
//   await lab.stop();                       // stops it only if this call started it
//
// The servers run as separate processes managed by bin/labctl.sh; their state
// lives in <repo>/.test-tmp/lab (gitignored) unless LAB_RUN / opts.runDir says otherwise.
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export const LAB_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.resolve(LAB_DIR, '..', '..');
export const LABCTL = path.join(LAB_DIR, 'bin', 'labctl.sh');
export const DEFAULT_RUN_DIR = path.join(REPO_DIR, '.test-tmp', 'lab');
export const labConfig = JSON.parse(readFileSync(path.join(LAB_DIR, 'lab.config.json'), 'utf8'));

const PORT_VARS = {
  oauth: 'LAB_OAUTH_PORT',
  smtp: 'LAB_SMTP_PORT',
  smtps: 'LAB_SMTPS_PORT',
  imap: 'LAB_IMAP_PORT',
  imaps: 'LAB_IMAPS_PORT',
  pop3: 'LAB_POP3_PORT',
  pop3s: 'LAB_POP3S_PORT',
  graph: 'LAB_GRAPH_PORT',
};

const isExecutable = (f) => {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** True when Dovecot with IMAP and POP3 is installed (what the lab needs besides node_modules). */
export function isDovecotInstalled() {
  const inPath = (process.env.PATH || '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(path.delimiter)
    .concat(['/usr/sbin', '/usr/bin'])
    .some((d) => d && isExecutable(path.join(d, 'dovecot')));
  return inPath && isExecutable('/usr/lib/dovecot/imap') && isExecutable('/usr/lib/dovecot/pop3');
}

/** Human-readable reason for a skip, or null when the lab can run here. */
export function labUnavailableReason() {
  if (process.platform !== 'linux') return `the XOAUTH2 lab needs Linux (this is ${process.platform})`;
  if (!isDovecotInstalled())
    return 'Dovecot is not installed (run: sudo bash .ci/install-lab.sh, or bash test/lab/bin/labctl.sh install as root)';
  return null;
}

function labctl(args, env) {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [LABCTL, ...args],
      { env, maxBuffer: 4 << 20, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err && args[0] !== 'status') {
          err.message = `labctl ${args.join(' ')} failed (exit ${err.code}): ${stderr.trim().split('\n').slice(-30).join('\n')}`;
          return reject(err);
        }
        return resolve({ code: err ? err.code : 0, stdout, stderr });
      },
    );
  });
}

// Parses the "export A='x' B=y" lines labctl.sh prints.
function parseExports(text) {
  const env = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('export ')) continue;
    for (const m of line.slice(7).matchAll(/([A-Z0-9_]+)=(?:'([^']*)'|(\S*))/g)) env[m[1]] = m[2] ?? m[3];
  }
  return env;
}

// ---- in-process trust of the lab CA -----------------------------------------
// NODE_EXTRA_CA_CERTS is only read when a Node process starts, so it works for
// child processes (pass lab.env) but not for the test process that started the
// lab. trustLabCa() makes every TLS client in this process (fetch, which MSAL 7
// uses, https, net/tls clients such as nodemailer/imapflow) accept the lab CA in
// addition to the normal roots, unless the caller passes its own `ca`.
const trusted = new Set();
let origCreateSecureContext = null;
export function trustLabCa(caPem) {
  trusted.add(caPem);
  if (origCreateSecureContext) return;
  origCreateSecureContext = tls.createSecureContext;
  tls.createSecureContext = function labCreateSecureContext(options) {
    if (trusted.size && (!options || options.ca === undefined))
      options = { ...options, ca: [...tls.rootCertificates, ...trusted] };
    return origCreateSecureContext.call(this, options);
  };
}
/** Removes what trustLabCa() added. */
export function untrustLabCa() {
  trusted.clear();
  if (origCreateSecureContext) {
    tls.createSecureContext = origCreateSecureContext;
    origCreateSecureContext = null;
  }
}

function labRequest(origin, ca, method, pathname, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${origin}${pathname}`,
      {
        method,
        ca,
        headers: data
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
          : {},
        timeout: 10_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = { raw: text };
          }
          if (res.statusCode >= 400)
            return reject(new Error(`${method} ${pathname}: ${res.statusCode} ${text}`));
          return resolve(json);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname}: timeout`)));
    req.on('error', reject);
    req.end(data);
  });
}

const stopOnExit = new Set(); // labctl env objects of labs started by this process and not stopped yet
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const env of stopOnExit)
      spawnSync('bash', [LABCTL, 'stop'], { env, stdio: 'ignore', timeout: 20_000 });
  });
}

/**
 * Starts the lab (authority + SMTP + Graph + Dovecot) or reuses the one already running
 * for the same run dir.
 * @param {object} [opts]
 * @param {string} [opts.runDir]   state dir (default $LAB_RUN or <repo>/.test-tmp/lab)
 * @param {Partial<Record<'oauth'|'smtp'|'smtps'|'imap'|'imaps'|'pop3'|'pop3s'|'graph', number>>} [opts.ports]
 * @param {Record<string,string>} [opts.env]  extra env for `labctl start`, e.g. fault baseline
 *        { LAB_TOKEN_TTL_SECONDS: '5' } (only applies when this call starts the lab)
 * @param {object} [opts.faults]   faults to set right after start (works for reused labs too)
 * @param {boolean} [opts.restart] stop a running lab first, so opts.env applies
 * @param {boolean} [opts.trustCa=true] call trustLabCa() so in-process clients accept the lab CA
 */
export async function startLab(opts = {}) {
  const reason = labUnavailableReason();
  if (reason) throw new Error(`cannot start the XOAUTH2 lab: ${reason}`);
  const runDir = path.resolve(opts.runDir || process.env.LAB_RUN || DEFAULT_RUN_DIR);
  const ctlEnv = { ...process.env, LAB_RUN: runDir, ...opts.env };
  for (const [k, v] of Object.entries(opts.ports || {})) {
    if (!PORT_VARS[k])
      throw new Error(`unknown port name ${k} (known: ${Object.keys(PORT_VARS).join(', ')})`);
    ctlEnv[PORT_VARS[k]] = String(v);
  }
  let startedHere = false;
  if (opts.restart) await labctl(['stop'], ctlEnv);
  const status = await labctl(['status'], ctlEnv);
  if (status.code !== 0) {
    await labctl(['start'], ctlEnv);
    startedHere = true;
    stopOnExit.add(ctlEnv);
    installExitHook();
  }
  const env = parseExports((await labctl(['env'], ctlEnv)).stdout);
  const caFile = env.NODE_EXTRA_CA_CERTS;
  const ca = readFileSync(caFile, 'utf8');
  if (opts.trustCa !== false) trustLabCa(ca);

  const ports = Object.fromEntries(Object.entries(PORT_VARS).map(([k, v]) => [k, Number(env[v])]));
  const origin = `https://127.0.0.1:${ports.oauth}`;
  const req = (method, p, body) => labRequest(origin, ca, method, p, body);
  const health = await req('GET', '/_lab/health');
  if (path.resolve(health.runDir) !== runDir)
    throw new Error(`port ${ports.oauth} is served by a lab with run dir ${health.runDir}, not ${runDir}`);

  const lab = {
    /** Env for processes under test: NODE_EXTRA_CA_CERTS, LAB_*, MAIL_OAUTH_* (merge into process.env). */
    env,
    ports,
    host: '127.0.0.1',
    /** TLS name to verify (the cert has IP:127.0.0.1, DNS:localhost, DNS:*.lab.test). */
    servername: 'localhost',
    tenantId: env.MAIL_OAUTH_TENANT_ID,
    authority: env.MAIL_OAUTH_AUTHORITY,
    knownAuthority: env.MAIL_OAUTH_KNOWN_AUTHORITY,
    caFile,
    ca,
    runDir,
    mailDir: env.LAB_MAIL_DIR,
    outboxDir: path.join(runDir, 'outbox'),
    logsDir: path.join(runDir, 'logs'),
    config: labConfig,
    startedHere,
    /**
     * The certificate credential of the lab app marked "certificate" (key pair made by the authority at
     * start): the PKCS#8 private key file, its text and the SHA-256 thumbprint (hex) Entra would show.
     */
    certificate(clientId = labConfig.apps.find((a) => a.certificate)?.clientId) {
      const keyPath = path.join(runDir, 'certs', `app-${clientId}.key`);
      return {
        clientId,
        keyPath,
        privateKey: readFileSync(keyPath, 'utf8'),
        thumbprint: readFileSync(path.join(runDir, 'certs', `app-${clientId}.thumbprint`), 'utf8').trim(),
      };
    },
    /** Merges fault settings (README "Fault injection"); resolves to the new full state. */
    setFaults: (faults) => req('POST', '/_lab/faults', faults),
    getFaults: () => req('GET', '/_lab/faults'),
    /** Back to the baseline the lab was started with. */
    resetFaults: () => req('DELETE', '/_lab/faults'),
    /** Token with arbitrary claims/lifetime signed by the lab authority (ttl < 0: already expired). */
    mintToken: async (claims, ttl) => (await req('POST', '/_lab/mint', { claims, ttl })).access_token,
    /**
     * Ends every IMAP/POP session of a mailbox, as Exchange does when a session's token expires
     * (`doveadm kick`); returns the number of connections ended.
     */
    kick(user) {
      const r = spawnSync('doveadm', ['-c', path.join(runDir, 'etc', 'dovecot.conf'), 'kick', user], { encoding: 'utf8', timeout: 20_000 });
      if (r.status !== 0 && !/no users found/i.test(r.stderr)) throw new Error(`doveadm kick ${user}: ${r.stderr || r.stdout}`);
      return Number(/(\d+) connections? kicked/i.exec(r.stdout)?.[1] ?? (r.stdout.trim() ? 1 : 0));
    },
    /** Stops the lab if this call started it (or if force); otherwise only resets faults. */
    async stop({ force = false } = {}) {
      if (startedHere || force) {
        stopOnExit.delete(ctlEnv);
        await labctl(['stop'], ctlEnv);
      } else {
        await req('DELETE', '/_lab/faults').catch(() => {});
      }
    },
  };
  if (opts.faults) await lab.setFaults(opts.faults);
  return lab;
}
