/**
 * verify end to end against the local test bed (test/lab): real MSAL token requests to the lab's
 * Entra-like authority, and the minimal SMTP / IMAP / POP3 clients against its servers (smtp-server,
 * Dovecot), in process and through the real CLI in a child process. Every failure case must fail
 * the right step with the right remedy, and no output may carry the secret, a token or the SASL string.
 *
 * The lab instance is our own (run dir .test-tmp/lab-verify, ports 28xxx), so the faults injected
 * here never disturb another suite using the default lab at the same time.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { msalTokenAcquirer } from '../../src/core/verify/token';
import { verify, type DeviceCodeInfo, type VerifyInput, type VerifyReport } from '../../src/core/verify';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'src/core/verify/cli.ts');
const TSX = require.resolve('tsx/cjs');
const PORTS = {
  oauth: 28443,
  smtp: 28587,
  smtps: 28465,
  imap: 28143,
  imaps: 28993,
  pop3: 28110,
  pop3s: 28995,
  graph: 28444, // the lab starts its Graph stand-in too: keep it off the main lab's port
};
const APP = { clientId: '11111111-1111-4111-8111-111111111111', secret: 'lab-client-secret-1' };
const APP_NO_ROLES = { clientId: '33333333-3333-4333-8333-333333333333', secret: 'lab-client-secret-3' };
const PUBLIC_CLIENT = '22222222-2222-4222-8222-222222222222';

interface Lab {
  env: Record<string, string>;
  ports: typeof PORTS;
  tenantId: string;
  authority: string;
  setFaults(f: Record<string, unknown>): Promise<unknown>;
  resetFaults(): Promise<unknown>;
  stop(): Promise<void>;
  /** The lab app with a certificate credential (test/lab/lab.d.mts). */
  certificate(): { clientId: string; keyPath: string; privateKey: string; thumbprint: string };
}
let lab: Lab | undefined;
/** test/lab/lib/lab-client.mjs: every origin / socket the process opens while recording. */
let recordConnections: () => { seen: Set<string>; requests: string[]; stop(): void };

/** No output may carry a lab secret, anything JWT-like, or a base64 SASL XOAUTH2 string. */
function assertNoSecrets(...texts: string[]): void {
  for (const t of texts) {
    assert.doesNotMatch(
      t,
      /lab-client-secret|wrong-secret-value|eyJ[A-Za-z0-9_-]{10,}|dXNlcj[A-Za-z0-9+/]{8,}/,
    );
  }
}

const steps = (r: VerifyReport): string => r.steps.map((s) => `${s.name}:${s.ok ? 'ok' : 'FAIL'}`).join(' ');
const step = (r: VerifyReport, name: string): VerifyReport['steps'][number] => {
  const s = r.steps.find((x) => x.name === name);
  assert.ok(s, `no step ${name} in ${steps(r)}`);
  return s;
};

/** In-process verify with the app-only lab identity; `extra` overrides. */
async function inProcess(
  extra: Partial<VerifyInput>,
  deps: Parameters<typeof verify>[1] = {},
): Promise<VerifyReport> {
  const l = lab!;
  const r = await verify(
    {
      protocol: 'smtp',
      host: '127.0.0.1',
      servername: 'localhost',
      user: 'shared@lab.test',
      tenantId: l.tenantId,
      clientId: APP.clientId,
      clientSecret: APP.secret,
      authority: l.authority,
      timeoutMs: 10_000,
      ...extra,
    },
    deps,
  );
  assertNoSecrets(JSON.stringify(r));
  return r;
}

interface CliRun {
  code: number | null;
  out: string;
  err: string;
  json?: { ok: boolean; steps: { name: string; ok: boolean; detail: string; remedy: string | null }[] };
}

/** Runs the real verify CLI in a child process (secret only in env or ./.env of `cwd`). */
/** The CLI run failed (exit code 1) at step `name`: that step, asserted to have failed. */
function failedAt(r: CliRun, name: string): NonNullable<CliRun['json']>['steps'][number] {
  assert.equal(r.code, 1, r.err);
  const step = r.json?.steps.find((s) => s.name === name);
  assert.ok(step, `a ${name} step`);
  assert.equal(step.ok, false);
  return step;
}

function cli(
  args: string[],
  opts: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    dropEnv?: string[];
    onStderr?: (all: string) => void;
  } = {},
): Promise<CliRun> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  for (const [k, v] of Object.entries({ ...lab!.env, ...opts.env })) {
    if (v !== undefined && !(opts.dropEnv ?? []).includes(k)) {
      env[k] = v;
    }
  }
  const script = `require(${JSON.stringify(TSX)}); require(${JSON.stringify(CLI)}).verifyCommand(process.argv.slice(1)).then((c) => process.exit(c), (e) => { console.error(e); process.exit(3); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-e', script, '--', '--host', '127.0.0.1', '--servername', 'localhost', ...args],
      { cwd: opts.cwd ?? REPO, env },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      opts.onStderr?.(err);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      assertNoSecrets(out, err);
      let json: CliRun['json'];
      if (args.includes('json')) {
        json = JSON.parse(out) as CliRun['json'];
      }
      resolve({ code, out, err, json });
    });
  });
}

/** Approves a device code as the lab's "user" (what a person does in the browser). */
async function approve(info: DeviceCodeInfo, username: string): Promise<void> {
  const res = await fetch(info.verificationUri, {
    method: 'POST',
    body: new URLSearchParams({ user_code: info.userCode, username }),
  });
  if (!res.ok) {
    throw new Error(`device login failed: ${res.status}`);
  }
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('verify against the test bed (e2e)', function () {
  this.timeout(180_000);

  before(async function () {
    // (untyped .mjs helper; a variable specifier keeps tsc from looking for declarations)
    const labClient = '../lab/lib/lab-client.mjs';
    ({ recordConnections } = (await import(labClient)) as { recordConnections: typeof recordConnections });
    const labMod = (await import('../lab/lab.mjs')) as {
      labUnavailableReason(): string | null;
      startLab(o: Record<string, unknown>): Promise<Lab>;
    };
    const why = labMod.labUnavailableReason();
    if (why) {
      if (process.env.LAB_REQUIRED === '1') {
        throw new Error(`mail test bed required but unavailable: ${why}`);
      }
      console.log(`SKIPPING e2e verify tests: ${why} (run: sudo bash .ci/install-lab.sh)`);
      this.skip();
    }
    lab = await labMod.startLab({ runDir: path.join(REPO, '.test-tmp/lab-verify'), ports: PORTS });
    await lab.resetFaults();
  });

  after(async () => {
    await lab?.resetFaults();
    await lab?.stop();
  });

  afterEach(async () => {
    await lab?.resetFaults();
  });

  describe('success, app-only (client credentials)', () => {
    const all = 'configuration:ok token:ok claims:ok connect:ok authenticate:ok logout:ok';
    it('SMTP with STARTTLS (587-like): login, MAIL FROM + RSET, QUIT; talks to nothing but the lab', async () => {
      const rec = recordConnections();
      let r: VerifyReport;
      try {
        r = await inProcess({ protocol: 'smtp', port: PORTS.smtp });
      } finally {
        rec.stop();
      }
      const allowed = new Set([
        `https://127.0.0.1:${PORTS.oauth}`,
        `tcp://127.0.0.1:${PORTS.oauth}`,
        `tcp://127.0.0.1:${PORTS.smtp}`,
      ]);
      assert.deepEqual(
        [...rec.seen].filter((o) => !allowed.has(o)),
        [],
      );
      assert.ok(rec.requests.some((q) => q.startsWith(`POST https://127.0.0.1:${PORTS.oauth}/`)));
      assert.equal(
        steps(r),
        'configuration:ok token:ok claims:ok connect:ok authenticate:ok mail-from:ok logout:ok',
      );
      assert.ok(r.ok);
      assert.match(step(r, 'connect').detail, /STARTTLS\): TLSv1\.[23]/);
      assert.match(step(r, 'claims').detail, /roles .*SMTP\.SendAsApp/);
      assert.match(step(r, 'mail-from').detail, /no message was sent/);
    });
    it('SMTP with implicit TLS (465-like)', async () => {
      const r = await inProcess({ protocol: 'smtp', port: PORTS.smtps, tls: 'implicit' });
      assert.ok(r.ok, JSON.stringify(r, null, 1));
    });
    it('IMAP with implicit TLS (993-like), SASL-IR', async () => {
      const r = await inProcess({ protocol: 'imap', port: PORTS.imaps, tls: 'implicit' });
      assert.equal(steps(r), all);
      assert.match(step(r, 'connect').detail, /AUTH=XOAUTH2/);
    });
    it('IMAP with STARTTLS (143-like)', async () => {
      const r = await inProcess({ protocol: 'imap', port: PORTS.imap });
      assert.equal(steps(r), all);
    });
    it('POP3 with implicit TLS (995-like): AUTH XOAUTH2, +, response, NOOP, QUIT', async () => {
      const r = await inProcess({ protocol: 'pop3', port: PORTS.pop3s, tls: 'implicit' });
      assert.equal(steps(r), all);
    });
    it('POP3 with STLS (110-like)', async () => {
      const r = await inProcess({ protocol: 'pop3', port: PORTS.pop3 });
      assert.equal(steps(r), all);
    });
    it('through the CLI (text output, secret from the environment): exit 0 and a ✔ per step', async () => {
      const r = await cli(['--protocol', 'imap', '--port', String(PORTS.imaps), '--tls', 'implicit']);
      assert.equal(r.code, 0, r.out + r.err);
      assert.equal(r.out.split('\n').filter((l) => l.startsWith('✔ ')).length, 6);
      assert.match(r.out, /All checks passed/);
    });
    it('through the CLI with the secret in ./.env only (JSON output)', async () => {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-verify-e2e-'));
      fs.writeFileSync(path.join(cwd, '.env'), `MAIL_OAUTH_CLIENT_SECRET=${APP.secret}\n`);
      const r = await cli(
        ['--protocol', 'smtp', '--port', String(PORTS.smtps), '--tls', 'implicit', '--format', 'json'],
        { cwd, dropEnv: ['MAIL_OAUTH_CLIENT_SECRET'] },
      );
      assert.equal(r.code, 0, r.out + r.err);
      assert.equal(r.json!.ok, true);
      assert.equal(r.json!.steps.length, 7);
    });
  });

  describe('success, delegated (device code)', () => {
    it('SMTP as alice, sending as shared@lab.test (a Send As grant), device code approved in the "browser"', async () => {
      const shown: string[] = [];
      const r = await inProcess(
        // Both resource names work (as with Exchange Online): this one asks for outlook.office365.com,
        // the POP3 case below uses the default delegated resource, https://outlook.office.com.
        {
          protocol: 'smtp',
          port: PORTS.smtps,
          tls: 'implicit',
          flow: 'delegated',
          clientId: PUBLIC_CLIENT,
          clientSecret: undefined,
          user: 'alice@lab.test',
          from: 'shared@lab.test',
          resource: 'https://outlook.office365.com',
        },
        {
          deviceCodeCallback: async (info) => {
            shown.push(info.message);
            await approve(info, 'alice@lab.test');
          },
        },
      );
      assert.equal(
        steps(r),
        'configuration:ok token:ok claims:ok connect:ok authenticate:ok mail-from:ok logout:ok',
      );
      assert.match(shown[0], /devicelogin/);
      assert.match(step(r, 'claims').detail, /scopes SMTP\.Send; signed in as alice@lab\.test/);
      assert.match(step(r, 'token').detail, /delegated token .*SMTP\.Send offline_access/);
    });

    it('POP3 as alice with the default delegated resource (https://outlook.office.com)', async () => {
      const r = await inProcess(
        {
          protocol: 'pop3',
          port: PORTS.pop3s,
          tls: 'implicit',
          flow: 'delegated',
          clientId: PUBLIC_CLIENT,
          clientSecret: undefined,
          user: 'alice@lab.test',
        },
        { deviceCodeCallback: (info) => approve(info, 'alice@lab.test') },
      );
      assert.equal(steps(r), 'configuration:ok token:ok claims:ok connect:ok authenticate:ok logout:ok');
      assert.match(step(r, 'claims').detail, /POP\.AccessAsUser\.All/);
    });
  });

  describe('delegated through the CLI', () => {
    it('prints the device code sign-in on stderr, waits for it, and passes (IMAP)', async () => {
      let approved: Promise<void> | undefined;
      const r = await cli(
        [
          '--protocol',
          'imap',
          '--port',
          String(PORTS.imaps),
          '--tls',
          'implicit',
          '--flow',
          'delegated',
          '--user',
          'alice@lab.test',
          '--resource',
          'https://outlook.office365.com',
        ],
        {
          env: { MAIL_OAUTH_CLIENT_ID: PUBLIC_CLIENT, MAIL_OAUTH_USER: undefined },
          onStderr: (all) => {
            const m = /open the page (\S+) and enter the code (\S+)/.exec(all);
            if (m && !approved) {
              approved = approve(
                { verificationUri: m[1], userCode: m[2], message: '', expiresIn: 900 },
                'alice@lab.test',
              );
            }
          },
        },
      );
      await approved;
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.err, /enter the code/);
      assert.match(r.out, /Token claims: .*scopes IMAP\.AccessAsUser\.All; signed in as alice@lab\.test/);
    });
    it('a declined sign-in fails the token step', async () => {
      const r = await inProcess(
        {
          protocol: 'imap',
          port: PORTS.imaps,
          tls: 'implicit',
          flow: 'delegated',
          clientId: PUBLIC_CLIENT,
          clientSecret: undefined,
          user: 'alice@lab.test',
          resource: 'https://outlook.office365.com',
        },
        {
          deviceCodeCallback: async (info) => {
            await fetch(info.verificationUri, {
              method: 'POST',
              body: new URLSearchParams({ user_code: info.userCode, deny: '1' }),
            });
          },
        },
      );
      assert.equal(step(r, 'token').ok, false);
      assert.match(step(r, 'token').detail, /declined|sign-in failed/);
    });
  });

  describe('certificate credential (app-only)', () => {
    /** The lab app with a certificate: key file + SHA-256 thumbprint, no secret anywhere. */
    const certEnv = (thumbprint?: string): { env: Record<string, string>; dropEnv: string[] } => {
      const cert = lab!.certificate();
      return {
        env: {
          MAIL_OAUTH_CLIENT_ID: cert.clientId,
          MAIL_OAUTH_CERTIFICATE_PATH: cert.keyPath,
          MAIL_OAUTH_CERTIFICATE_THUMBPRINT: thumbprint ?? cert.thumbprint,
        },
        dropEnv: ['MAIL_OAUTH_CLIENT_SECRET'],
      };
    };
    it('signs the client assertion with the key file: every step passes (CLI, JSON); the key is never printed', async () => {
      const r = await cli(
        ['--protocol', 'smtp', '--port', String(PORTS.smtp), '--format', 'json'],
        certEnv(),
      );
      assert.equal(r.code, 0, r.out + r.err);
      assert.equal(r.json!.ok, true);
      assert.match(r.json!.steps[0].detail, /app-only flow \(client credentials\) with a certificate/);
      const key = lab!.certificate().privateKey;
      const body = key.split('\n').find((l) => l.length > 40)!;
      assert.ok(
        !(r.out + r.err).includes(body) && !/PRIVATE KEY/.test(r.out + r.err),
        'no key material in the output',
      );
    });
    it('a thumbprint of a certificate the app does not have → token step AADSTS700027 with the upload remedy', async () => {
      const r = await cli(
        ['--protocol', 'imap', '--port', String(PORTS.imaps), '--tls', 'implicit', '--format', 'json'],
        certEnv('AB'.repeat(32)),
      );
      const token = failedAt(r, 'token');
      assert.match(token.detail, /AADSTS700027/);
      assert.match(token.remedy!, /Certificates & secrets → Certificates.*SHA-256 thumbprint/);
    });
  });

  describe('failures: token', () => {
    it('wrong secret → token step AADSTS7000215 with the secret-Value remedy (CLI, JSON)', async () => {
      const r = await cli(['--protocol', 'smtp', '--port', String(PORTS.smtp), '--format', 'json'], {
        env: { MAIL_OAUTH_CLIENT_SECRET: 'wrong-secret-value' },
      });
      const token = failedAt(r, 'token');
      assert.match(token.detail, /^AADSTS7000215: Entra ID rejected the client secret/);
      assert.match(token.remedy!, /Value.*Secret ID/);
      assert.ok(!r.json!.steps.some((s) => s.name === 'authenticate'));
    });
    it('unknown client id → AADSTS700016 naming the client and tenant', async () => {
      const r = await cli([
        '--protocol',
        'imap',
        '--port',
        String(PORTS.imaps),
        '--tls',
        'implicit',
        '--client-id',
        '44444444-4444-4444-8444-444444444444',
      ]);
      assert.equal(r.code, 1);
      assert.match(r.out, /✘ Acquire token: AADSTS700016: Entra ID found no application with this client ID/);
      assert.match(r.out, /Fix: Check MAIL_OAUTH_CLIENT_ID \(44444444-4444-4444-8444-444444444444\)/);
    });
    it('expired client secret (AADSTS7000222) and missing consent (AADSTS65001)', async () => {
      await lab!.setFaults({ tokenError: 'AADSTS7000222' });
      const expired = await inProcess({ protocol: 'imap', port: PORTS.imaps, tls: 'implicit' });
      assert.match(step(expired, 'token').detail, /AADSTS7000222: the client secret has expired/);
      await lab!.setFaults({ tokenError: 65001 });
      const consent = await inProcess({ protocol: 'imap', port: PORTS.imaps, tls: 'implicit' });
      assert.match(step(consent, 'token').remedy!, /Grant admin consent/);
    });
  });

  describe('failures: permissions', () => {
    it('token without the needed role (app 3333…) → claims step names the permission; the server refuses (SMTP 535 5.7.3)', async () => {
      const r = await inProcess({
        protocol: 'smtp',
        port: PORTS.smtps,
        tls: 'implicit',
        clientId: APP_NO_ROLES.clientId,
        clientSecret: APP_NO_ROLES.secret,
      });
      assert.equal(steps(r), 'configuration:ok token:ok claims:FAIL connect:ok authenticate:FAIL logout:ok');
      assert.match(step(r, 'claims').detail, /no roles claim/);
      assert.match(
        step(r, 'claims').remedy!,
        /Application permissions → SMTP\.SendAsApp; then "Grant admin consent"/,
      );
      assert.match(step(r, 'authenticate').detail, /535 5\.7\.3/);
      assert.match(step(r, 'authenticate').remedy!, /\(1\) the token has no roles claim/);
    });
    it('same for IMAP (NO [AUTHENTICATIONFAILED]) and POP3 (-ERR), through the CLI', async () => {
      for (const [protocol, port, role] of [
        ['imap', PORTS.imaps, 'IMAP.AccessAsApp'],
        ['pop3', PORTS.pop3s, 'POP.AccessAsApp'],
      ] as const) {
        const r = await cli(
          [
            '--protocol',
            protocol,
            '--port',
            String(port),
            '--tls',
            'implicit',
            '--client-id',
            APP_NO_ROLES.clientId,
            '--format',
            'json',
          ],
          {
            env: { MAIL_OAUTH_CLIENT_SECRET: APP_NO_ROLES.secret },
          },
        );
        const claims = failedAt(r, 'claims');
        assert.match(claims.remedy!, new RegExp(role.replace('.', '\\.')));
        const auth = r.json!.steps.find((s) => s.name === 'authenticate')!;
        assert.equal(auth.ok, false);
        assert.match(auth.detail, protocol === 'imap' ? /NO \[AUTHENTICATIONFAILED\]/ : /-ERR/);
      }
    });
    it('app token for a mailbox it may not use (bob@lab.test) → authenticate fails: mailbox permission / service principal ObjectId', async () => {
      for (const [protocol, port, reply] of [
        ['smtp', PORTS.smtps, /535 5\.7\.3/],
        ['imap', PORTS.imaps, /NO \[AUTHENTICATIONFAILED\]/],
        ['pop3', PORTS.pop3s, /-ERR \[AUTH\]/],
      ] as const) {
        const r = await inProcess({ protocol, port, tls: 'implicit', user: 'bob@lab.test' });
        assert.equal(step(r, 'claims').ok, true, protocol);
        const auth = step(r, 'authenticate');
        assert.equal(auth.ok, false, protocol);
        assert.match(auth.detail, reply);
        assert.match(
          auth.remedy!,
          /Add-MailboxPermission -Identity bob@lab\.test -User <Enterprise application Object ID> -AccessRights FullAccess/,
        );
        assert.match(
          auth.remedy!,
          /New-ServicePrincipal -AppId 11111111-1111-4111-8111-111111111111 -ObjectId <Enterprise application Object ID>/,
        );
        assert.match(auth.remedy!, /NOT the Object ID shown under App registrations/);
        assert.match(auth.remedy!, /The token itself looked right/);
      }
    });
    it('SMTP AUTH disabled for the tenant → 535 5.7.139 with Set-CASMailbox / Set-TransportConfig (CLI)', async () => {
      await lab!.setFaults({ smtpAuthDisabled: true });
      const r = await cli(['--protocol', 'smtp', '--port', String(PORTS.smtp)]);
      assert.equal(r.code, 1);
      assert.match(
        r.out,
        /✘ Authenticate \(XOAUTH2\): SMTP AUTH is turned off for the whole tenant; the server answered: "535 5\.7\.139/,
      );
      assert.match(
        r.out,
        /Set-CASMailbox -Identity shared@lab\.test -SmtpClientAuthenticationDisabled \$false/,
      );
      assert.match(r.out, /Set-TransportConfig -SmtpClientAuthenticationDisabled \$false/);
    });
    it('Send As denied (MAIL FROM another mailbox) → mail-from step with Add-RecipientPermission', async () => {
      const r = await cli([
        '--protocol',
        'smtp',
        '--port',
        String(PORTS.smtp),
        '--from',
        'alice@lab.test',
        '--format',
        'json',
      ]);
      const mf = failedAt(r, 'mail-from');
      assert.match(mf.detail, /shared@lab\.test may not send as alice@lab\.test.*554 5\.2\.252 SendAsDenied/);
      assert.match(
        mf.remedy!,
        /Add-RecipientPermission -Identity alice@lab\.test -Trustee <Enterprise application Object ID> -AccessRights SendAs/,
      );
      assert.equal(r.json!.steps.find((s) => s.name === 'authenticate')!.ok, true);
    });
  });

  describe('failures: token lifetime', () => {
    it('expired token (short lab TTL, used after it ran out) → claims "expired" and the server refuses it', async () => {
      await lab!.setFaults({ tokenTtlSeconds: 1 });
      const r = await inProcess(
        { protocol: 'smtp', port: PORTS.smtps, tls: 'implicit' },
        {
          // A long-lived process holding on to its token: it is used 2.5 s after it was issued.
          acquireToken: async (req) => {
            const t = await msalTokenAcquirer(req);
            await new Promise((res) => setTimeout(res, 2500));
            return t;
          },
        },
      );
      assert.equal(steps(r), 'configuration:ok token:ok claims:FAIL connect:ok authenticate:FAIL logout:ok');
      assert.match(step(r, 'claims').detail, /the token expired at/);
      assert.match(step(r, 'claims').remedy!, /fresh token/);
      assert.match(
        step(r, 'authenticate').remedy!,
        /^Likely causes, most likely first: \(1\) the token expired at/,
      );
    });
  });

  describe('failures: network and TLS', () => {
    it('server not listening (a closed port) → connect: connection refused', async () => {
      const port = await closedPort();
      const r = await cli([
        '--protocol',
        'imap',
        '--port',
        String(port),
        '--tls',
        'implicit',
        '--format',
        'json',
      ]);
      const c = failedAt(r, 'connect');
      assert.match(c.detail, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
      assert.match(c.remedy!, /outlook\.office365\.com:993/);
    });
    it('untrusted certificate (lab CA not trusted for the mail server) → connect: not trusted, NODE_EXTRA_CA_CERTS', async () => {
      // Node's roots only: the lab's test CA is not among them (and startLab's in-process trust is bypassed).
      const r = await inProcess({
        protocol: 'imap',
        port: PORTS.imaps,
        tls: 'implicit',
        ca: tls.rootCertificates.join('\n'),
      });
      assert.equal(steps(r), 'configuration:ok token:ok claims:ok connect:FAIL');
      assert.match(
        step(r, 'connect').detail,
        /TLS certificate of 127\.0\.0\.1:28993 is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)/,
      );
      assert.match(step(r, 'connect').remedy!, /NODE_EXTRA_CA_CERTS/);
    });
    it('untrusted certificate in a fresh process without NODE_EXTRA_CA_CERTS → the authority and the mail server are both named', async () => {
      const r = await cli(
        ['--protocol', 'smtp', '--port', String(PORTS.smtps), '--tls', 'implicit', '--format', 'json'],
        { dropEnv: ['NODE_EXTRA_CA_CERTS'] },
      );
      assert.equal(r.code, 1);
      const token = r.json!.steps.find((s) => s.name === 'token')!;
      assert.match(
        token.detail,
        /could not reach the sign-in authority: the TLS certificate of the sign-in authority 127\.0\.0\.1:28443 is not trusted/,
      );
      const connect = r.json!.steps.find((s) => s.name === 'connect')!;
      assert.match(connect.detail, /is not trusted/);
      assert.match(connect.remedy!, /NODE_EXTRA_CA_CERTS/);
    });
    it('certificate name mismatch (--servername) → connect: hostname mismatch', async () => {
      const r = await inProcess({
        protocol: 'pop3',
        port: PORTS.pop3s,
        tls: 'implicit',
        servername: 'pop.example.com',
      });
      assert.match(step(r, 'connect').detail, /not valid for the name pop\.example\.com/);
    });
    it('TLS mode mismatch: implicit TLS on the STARTTLS port, and STARTTLS on the implicit port (timeout)', async () => {
      const implicit = await inProcess({ protocol: 'smtp', port: PORTS.smtp, tls: 'implicit' });
      assert.match(step(implicit, 'connect').remedy!, /--tls starttls/);
      const r = await cli([
        '--protocol',
        'imap',
        '--port',
        String(PORTS.imaps),
        '--tls',
        'starttls',
        '--timeout',
        '1s',
      ]);
      assert.equal(r.code, 1);
      assert.match(r.out, /sent no greeting within 1 s/);
      assert.match(r.out, /Fix: Use --tls implicit/);
    });
  });
});
