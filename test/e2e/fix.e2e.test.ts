/**
 * Proof that the rewritten code logs in: each before-fixture (test/fixtures/e2e/<case>) is copied,
 * fixed through the core (scan → planFixes → applyEdits), checked (re-scan clean, second plan empty,
 * `node --check` / `tsc`), and then RUN against the local test bed (test/lab) with tokens from its
 * Entra-like authority. The generated provider is pointed at the bed only through environment
 * variables (MAIL_OAUTH_*), never by editing it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoSecrets, delivered, fixed as fixedIn, REPO, run, runSigningIn, startLabOrSkip, stopLab, type Lab } from './helpers';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e');
const fixed = (name: string): Promise<string> => fixedIn(FIXTURES, name);
let lab: Lab | undefined;

describe('rewritten code logs in to the test bed (e2e)', function () {
  this.timeout(180_000);

  before(async function () {
    lab = await startLabOrSkip(this, 'e2e fix tests');
  });

  after(stopLab);

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
      assert.match(fs.readFileSync(path.join(dir, 'search.js'), 'utf8'), /imaps\.connect\(await withImapSimpleOAuth2\(config, 'outlook\.office365\.com'\)\)/);
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
