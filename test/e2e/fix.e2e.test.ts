/**
 * Proof that the rewritten code logs in: each before-fixture (test/fixtures/e2e/<case>) is copied,
 * fixed through the core (scan → planFixes → applyEdits), checked (re-scan clean, second plan empty,
 * `node --check` / `tsc`), and then RUN against the local test bed (test/lab) with tokens from its
 * Entra-like authority. The generated provider is pointed at the bed only through environment
 * variables (MAIL_OAUTH_*), never by editing it.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { planFixes } from '../../src/core/fixes';
import { applyEdits } from '../../src/core/fixes/apply';

const REPO = path.resolve(__dirname, '../..');
const FIXTURES = path.join(REPO, 'test/fixtures/e2e');
const WORK = path.join(REPO, '.test-tmp/e2e');
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');

interface Lab {
  env: Record<string, string>;
  ports: Record<string, number>;
  outboxDir: string;
  setFaults(f: Record<string, unknown>): Promise<unknown>;
  resetFaults(): Promise<unknown>;
  stop(): Promise<void>;
  /** The lab app with a certificate credential (test/lab/lab.d.mts). */
  certificate(): { clientId: string; keyPath: string; privateKey: string; thumbprint: string };
}

let lab: Lab | undefined;

/** Copies a fixture, applies every fix through the core, and checks the result statically. */
async function fixed(name: string): Promise<string> {
  const dir = path.join(WORK, `${name}-${process.pid}-${Date.now()}`);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  const scan = await new Analyzer(dir).scan();
  assert.equal(scan.findings.length, 1, `one finding in ${name}`);
  assert.ok(scan.findings[0].fixable, `fixable: ${scan.findings[0].fix.manual}`);
  const read = (f: string): string | undefined => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
  const plan = planFixes(scan.findings, { readFile: read });
  assert.deepEqual(plan.notFixed.map((n) => n.reason), []);
  const applied = applyEdits(plan.edits);
  assert.deepEqual(applied.refused, []);
  // a re-scan is clean, and a second plan changes nothing (idempotent)
  const again = await new Analyzer(dir).scan();
  assert.deepEqual(again.findings.map((f) => f.code), []);
  assert.deepEqual(planFixes(again.findings, { readFile: read }).edits, []);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies['@azure/msal-node'], '^7.2.1');
  assert.match(fs.readFileSync(path.join(dir, '.env.example'), 'utf8'), /^MAIL_OAUTH_CLIENT_SECRET=$/m);
  // JavaScript output passes node --check; TypeScript output type-checks against the real typings
  for (const f of applied.written.filter((w) => /\.(c|m)?js$/.test(w))) {
    const r = spawnSync(process.execPath, ['--check', f], { encoding: 'utf8' });
    assert.equal(r.status, 0, `node --check ${f}: ${r.stderr}`);
  }
  if (fs.existsSync(path.join(dir, 'tsconfig.json'))) {
    const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
  }
  return dir;
}

function run(dir: string, file: string, args: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const l = lab!;
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...l.env,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(l.ports.smtp),
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(l.ports.imaps),
    POP3_HOST: '127.0.0.1',
    POP3_PORT: String(l.ports.pop3s),
    TLS_SERVERNAME: 'localhost',
    MAIL_USER: 'shared@lab.test',
    ...extraEnv,
  };
  const argv = file.endsWith('.ts') ? ['--import', 'tsx', file, ...args] : [file, ...args];
  const r = spawnSync(process.execPath, argv, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Like run(), but answers the device-code prompt the way a user would (sign in as `username`). */
async function runSigningIn(dir: string, file: string, args: string[], username: string, extraEnv: Record<string, string>): Promise<{ code: number | null; err: string; prompted: boolean }> {
  const l = lab!;
  const child = spawn(process.execPath, [file, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...l.env, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(l.ports.smtp), TLS_SERVERNAME: 'localhost', ...extraEnv },
  });
  let err = '';
  let prompted = false;
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    const m = /open the page (\S+) and enter the code (\w+)/.exec(err);
    if (m && !prompted) {
      prompted = true;
      void fetch(m[1], { method: 'POST', body: new URLSearchParams({ user_code: m[2], username }) });
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, err, prompted };
}

function delivered(subject: string): boolean {
  return fs.readdirSync(lab!.outboxDir).some((f) => f.endsWith('.eml') && fs.readFileSync(path.join(lab!.outboxDir, f), 'utf8').includes(subject));
}

/** No output may carry the client secret or anything that looks like a JWT. */
function assertNoSecrets(...texts: string[]): void {
  for (const t of texts) {
    assert.doesNotMatch(t, /lab-client-secret|wrong-secret-value|eyJ[A-Za-z0-9_-]{10,}\./);
  }
}

describe('rewritten code logs in to the test bed (e2e)', function () {
  this.timeout(180_000);

  before(async function () {
    const labMod = (await import('../lab/lab.mjs')) as {
      labUnavailableReason(): string | null;
      startLab(): Promise<Lab>;
    };
    const why = labMod.labUnavailableReason();
    if (why) {
      if (process.env.LAB_REQUIRED === '1') {
        throw new Error(`mail test bed required but unavailable: ${why}`);
      }
      console.log(`SKIPPING e2e fix tests: ${why} (run: sudo bash .ci/install-lab.sh)`);
      this.skip();
    }
    lab = await labMod.startLab();
    fs.mkdirSync(WORK, { recursive: true });
  });

  after(async () => {
    await lab?.resetFaults();
    await lab?.stop();
  });

  describe('nodemailer (CommonJS, long-lived transport)', () => {
    let dir: string;
    before(async () => {
      dir = await fixed('nodemailer-cjs');
      const src = fs.readFileSync(path.join(dir, 'send.js'), 'utf8');
      assert.match(src, /type: 'OAuth2'/);
      assert.doesNotMatch(src, /SMTP_PASSWORD/);
    });

    it('delivers a message with an app-only token', () => {
      const subject = `nodemailer-e2e-${Date.now()}`;
      const r = run(dir, 'send.js', [subject]);
      assert.equal(r.code, 0, r.err);
      assert.ok(delivered(`${subject} #1`));
      assertNoSecrets(r.out, r.err);
    });

    it('delivers a message with a certificate credential (key file + SHA-256 thumbprint, no secret)', () => {
      const cert = lab!.certificate();
      const subject = `nodemailer-cert-${Date.now()}`;
      const r = run(dir, 'send.js', [subject], {
        MAIL_OAUTH_CLIENT_ID: cert.clientId,
        MAIL_OAUTH_CLIENT_SECRET: '',
        MAIL_OAUTH_CERTIFICATE_PATH: cert.keyPath,
        MAIL_OAUTH_CERTIFICATE_THUMBPRINT: cert.thumbprint,
      });
      assert.equal(r.code, 0, r.err);
      assert.ok(delivered(`${subject} #1`));
      assertNoSecrets(r.out, r.err);
      assert.doesNotMatch(r.out + r.err, /PRIVATE KEY/);
    });

    it('fails with a clear error naming the cause when the client secret is wrong', () => {
      const r = run(dir, 'send.js', ['wrong-secret'], { MAIL_OAUTH_CLIENT_SECRET: 'wrong-secret-value' });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /AADSTS7000215/);
      assert.match(r.err, /invalid client secret/);
      assertNoSecrets(r.out, r.err);
    });

    it('renews a token that expires while the transport lives', async () => {
      await lab!.setFaults({ tokenTtlSeconds: 3 });
      try {
        const subject = `nodemailer-renew-${Date.now()}`;
        const r = run(dir, 'send.js', [subject, '2'], { PAUSE_MS: '4500' });
        assert.equal(r.code, 0, r.err);
        assert.ok(delivered(`${subject} #1`) && delivered(`${subject} #2`));
      } finally {
        await lab!.resetFaults();
      }
    });
  });

  describe('delegated flow (device code, Outlook.com-style)', () => {
    it('signs in once, persists the token cache outside the repo, and reuses it', async () => {
      const dir = await fixed('nodemailer-cjs');
      const cache = path.join(dir, '..', `token-cache-${Date.now()}.json`);
      const env = {
        MAIL_OAUTH_FLOW: 'delegated',
        MAIL_OAUTH_CLIENT_ID: '22222222-2222-4222-8222-222222222222',
        MAIL_OAUTH_CLIENT_SECRET: '',
        MAIL_OAUTH_TOKEN_CACHE: cache,
        MAIL_USER: 'alice@lab.test',
      };
      const subject = `delegated-e2e-${Date.now()}`;
      const first = await runSigningIn(dir, 'send.js', [subject], 'alice@lab.test', env);
      assert.equal(first.code, 0, first.err);
      assert.ok(first.prompted, 'device code prompt shown');
      assert.ok(delivered(`${subject} #1`));
      assert.equal(fs.statSync(cache).mode & 0o777, 0o600);
      assertNoSecrets(first.err);
      const second = await runSigningIn(dir, 'send.js', [`${subject}-again`], 'alice@lab.test', env);
      assert.equal(second.code, 0, second.err);
      assert.equal(second.prompted, false, 'the persisted cache is used: no second sign-in');
      assert.ok(delivered(`${subject}-again #1`));
    });
  });

  describe('nodemailer-smtp-transport wrapper (CommonJS)', () => {
    it('unwraps the wrapper and delivers with OAuth2', async () => {
      const dir = await fixed('nodemailer-smtp-transport-cjs');
      assert.match(fs.readFileSync(path.join(dir, 'send.js'), 'utf8'), /nodemailer\.createTransport\(\s*\{\n {4}host: process/);
      const subject = `wrapper-e2e-${Date.now()}`;
      const r = run(dir, 'send.js', [subject]);
      assert.equal(r.code, 0, r.err);
      assert.ok(delivered(subject));
    });
  });

  describe('emailjs (ES module, top-level await)', () => {
    it('delivers a message with XOAUTH2 only', async () => {
      const dir = await fixed('emailjs-esm');
      assert.match(fs.readFileSync(path.join(dir, 'send.js'), 'utf8'), /authentication: \['XOAUTH2'\]/);
      const subject = `emailjs-e2e-${Date.now()}`;
      const r = run(dir, 'send.js', [subject]);
      assert.equal(r.code, 0, r.err);
      assert.ok(delivered(subject));
      assertNoSecrets(r.out, r.err);
    });
  });

  describe('reading mail', () => {
    let subject: string;
    before(async () => {
      // Put a message in the app's mailbox (shared@lab.test) through the fixed nodemailer code.
      const dir = await fixed('nodemailer-cjs');
      subject = `inbox-e2e-${Date.now()}`;
      fs.writeFileSync(
        path.join(dir, 'send.js'),
        fs.readFileSync(path.join(dir, 'send.js'), 'utf8').replace("to: 'bob@lab.test'", "to: 'shared@lab.test'"),
      );
      const r = run(dir, 'send.js', [subject]);
      assert.equal(r.code, 0, r.err);
    });

    it('imapflow (TypeScript, NodeNext) reads the message back', async () => {
      const dir = await fixed('imapflow-ts');
      const r = run(dir, 'read.ts', []);
      assert.equal(r.code, 0, r.err);
      assert.ok((JSON.parse(r.out) as string[]).includes(`${subject} #1`), r.out);
      assertNoSecrets(r.out, r.err);
    });

    it('imapflow: a wrong secret fails with the cause', async () => {
      const dir = await fixed('imapflow-ts');
      const r = run(dir, 'read.ts', [], { MAIL_OAUTH_CLIENT_SECRET: 'wrong-secret-value' });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /AADSTS7000215: invalid client secret/);
      assertNoSecrets(r.out, r.err);
    });

    it('imap (node-imap, ES module) opens the inbox with xoauth2', async () => {
      const dir = await fixed('imap-esm');
      const r = run(dir, 'read.mjs', []);
      assert.equal(r.code, 0, r.err);
      assert.ok((JSON.parse(r.out) as { total: number }).total >= 1, r.out);
    });

    it('imap-simple (CommonJS) finds the message', async () => {
      const dir = await fixed('imap-simple-cjs');
      const r = run(dir, 'search.js', []);
      assert.equal(r.code, 0, r.err);
      assert.ok((JSON.parse(r.out) as string[]).includes(`${subject} #1`), r.out);
    });

    it('imap-simple with module-level options: connect() wraps them with a fresh xoauth2', async () => {
      const dir = await fixed('imap-simple-module-config');
      assert.match(fs.readFileSync(path.join(dir, 'search.js'), 'utf8'), /imaps\.connect\(await withImapXOAuth2\(config, 'outlook\.office365\.com'\)\)/);
      const r = run(dir, 'search.js', []);
      assert.equal(r.code, 0, r.err);
      assert.ok((JSON.parse(r.out) as string[]).includes(`${subject} #1`), r.out);
    });

    it('mail-listener2 (CommonJS) connects with xoauth2', async () => {
      const dir = await fixed('mail-listener-cjs');
      const r = run(dir, 'listen.js', []);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), { status: 'connected' });
    });

    it('mail-notifier (CommonJS) connects with xoauth2', async () => {
      const dir = await fixed('mail-notifier-cjs');
      const r = run(dir, 'watch.js', []);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), { status: 'connected' });
    });

    it('node-pop3 (ES module) logs in with AUTH XOAUTH2', async () => {
      const dir = await fixed('node-pop3-esm');
      const r = run(dir, 'stat.mjs', []);
      assert.equal(r.code, 0, r.err);
      assert.ok((JSON.parse(r.out) as { count: number }).count >= 1, r.out);
    });

    it('node-pop3: a token without the POP permission fails instead of looking logged in', async () => {
      const dir = await fixed('node-pop3-esm');
      const r = run(dir, 'stat.mjs', [], {
        MAIL_OAUTH_CLIENT_ID: '33333333-3333-4333-8333-333333333333',
        MAIL_OAUTH_CLIENT_SECRET: 'lab-client-secret-3',
      });
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.err, /ERROR/);
    });
  });
});
