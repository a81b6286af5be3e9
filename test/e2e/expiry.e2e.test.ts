/**
 * The fixed code keeps working after its first token expired. Each fixture (test/fixtures/e2e-expiry/<case>) uses
 * a client, waits past the lifetime of the bed's tokens, and uses it again the way the library (or its README)
 * reconnects: emailjs and nodemailer send again, node-imap connects after end(), imap-simple and imapflow open a
 * new session, mail-listener and mail-notifier start again after their session ended, node-pop3 runs a command
 * after QUIT. Both uses must succeed, each with a token of its own from the authority.
 *
 * A control shows the test can fail: the same module-level emailjs client holding a token taken once (what the
 * fix used to write) is refused on its second send.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoSecrets, delivered, fixed, REPO, run, startLabOrSkip, stopLab, tokensIssued, type Lab } from './helpers';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e-expiry');
const TTL_SECONDS = 3;
const PAUSE_MS = String(TTL_SECONDS * 1000 + 1500);

const CASES: { name: string; file: string; sends?: boolean; shape: string }[] = [
  { name: 'emailjs-module-esm', file: 'app.js', sends: true, shape: 'emailjs, module-level client (ES module)' },
  { name: 'emailjs-function-cjs', file: 'app.js', sends: true, shape: 'emailjs, client from a synchronous factory (CommonJS)' },
  { name: 'nodemailer-pooled-cjs', file: 'app.js', sends: true, shape: 'nodemailer, pooled module-level transport' },
  { name: 'nodemailer-function-esm', file: 'app.js', sends: true, shape: 'nodemailer, transport from a synchronous factory' },
  { name: 'nodemailer-json-cjs', file: 'app.js', sends: true, shape: 'nodemailer, options in a JSON file (password removed there)' },
  { name: 'imapflow-module-options-esm', file: 'app.js', shape: 'imapflow, module-level options, a client per session' },
  { name: 'imapflow-function-ts', file: 'app.ts', shape: 'imapflow, client created in a function (TypeScript)' },
  { name: 'imap-module-cjs', file: 'app.js', shape: 'node-imap, module-level connection, connect() after end()' },
  { name: 'imap-simple-module-cjs', file: 'app.js', shape: 'imap-simple, module-level options, promise chain' },
  { name: 'imap-simple-function-esm', file: 'app.js', shape: 'imap-simple, options in an async function' },
  { name: 'mail-listener-module-cjs', file: 'app.js', shape: 'mail-listener2, restarted after server:disconnected' },
  { name: 'mail-notifier-module-cjs', file: 'app.js', shape: "mail-notifier, restarted on 'end' (README)" },
  { name: 'node-pop3-module-esm', file: 'app.js', shape: 'node-pop3, module-level client, a command after QUIT' },
];

describe('fixed code keeps working after its token expired (e2e)', function () {
  this.timeout(180_000);
  let lab: Lab;

  before(async function () {
    lab = await startLabOrSkip(this, 'e2e expiry tests');
    await lab.setFaults({ tokenTtlSeconds: TTL_SECONDS });
  });

  after(stopLab);

  for (const c of CASES) {
    it(c.shape, async () => {
      const dir = await fixed(FIXTURES, c.name);
      const subject = `exp-${Date.now()}`;
      const before = tokensIssued();
      const r = run(dir, c.file, [subject], { PAUSE_MS });
      assert.equal(r.code, 0, `${r.out}\n${r.err}`);
      assert.match(r.out, /(used|sent) #1/);
      assert.match(r.out, /(used|sent) #2/);
      // the second login could not use the first token (expired): a new one was fetched
      assert.ok(tokensIssued() - before >= 2, `tokens issued: ${tokensIssued() - before}`);
      if (c.sends) {
        assert.ok(delivered(`${subject}-1`) && delivered(`${subject}-2`), 'both messages delivered');
      }
      assertNoSecrets(r.out, r.err);
      if (fs.existsSync(path.join(dir, 'mail.config.json'))) {
        assert.doesNotMatch(fs.readFileSync(path.join(dir, 'mail.config.json'), 'utf8'), /"pass"|Winter2026/);
      }
    });
  }

  it('control: a module-level emailjs client holding a token taken once is refused after expiry', async () => {
    const dir = await fixed(FIXTURES, 'emailjs-module-esm');
    // what the fix wrote before: the token read once, when the module loads
    fs.writeFileSync(
      path.join(dir, 'mailer.js'),
      [
        "import { SMTPClient } from 'emailjs';",
        "import { getMailAccessToken } from './mail-oauth-token.js';",
        'export const mailer = new SMTPClient({',
        '  user: process.env.MAIL_USER,',
        "  password: (await getMailAccessToken('smtp')).accessToken,",
        "  authentication: ['XOAUTH2'],",
        '  host: process.env.SMTP_HOST,',
        '  port: Number(process.env.SMTP_PORT || 587),',
        '  tls: { servername: process.env.TLS_SERVERNAME },',
        '});',
        '',
      ].join('\n'),
    );
    const r = run(dir, 'app.js', [`expiry-control-${Date.now()}`], { PAUSE_MS });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /sent #1/);
    assert.doesNotMatch(r.out, /sent #2/);
    assert.match(r.err, /535|authentication|auth/i);
  });
});
