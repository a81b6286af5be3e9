/**
 * `fix --to graph`: a send-only nodemailer fixture is rewritten to the generated Microsoft Graph transport and run
 * against the test bed's Graph stand-in (test/lab/servers/graph.mjs). The message is read back over IMAP and
 * compared byte for byte with what Graph received; throttling is survived; each refusal names its cause.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { ImapFlow } from 'imapflow';
import { verifyCommand } from '../../src/core/verify/cli';
import { assertNoSecrets, fixed, REPO, run, startLabOrSkip, stopLab, type Lab } from './helpers';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e');

describe('Graph-rewritten nodemailer sends through the Graph stand-in (e2e)', function () {
  this.timeout(180_000);
  let lab: Lab;
  let dir: string;
  let graph: Record<string, string>;

  before(async function () {
    lab = await startLabOrSkip(this, 'Graph e2e tests');
    dir = await fixed(FIXTURES, 'nodemailer-graph-cjs', { to: 'graph' });
    graph = { MAIL_OAUTH_GRAPH_ENDPOINT: `https://127.0.0.1:${lab.ports.graph}` };
  });

  after(stopLab);

  const sendAs = (subject: string, env: Record<string, string> = {}, args: string[] = []) => run(dir, 'send.js', [subject, ...args], { ...graph, ...env });

  interface ReadBack {
    source: Buffer;
    subject: string;
    /** Decoded body parts by content type (the attachment under its file name). */
    parts: Map<string, Buffer>;
  }

  /** The newest message in shared@lab.test's inbox whose subject contains `marker`, read over IMAP (XOAUTH2). */
  async function readBack(marker: string): Promise<ReadBack> {
    const e = lab.env;
    const cca = new ConfidentialClientApplication({
      auth: { clientId: e.MAIL_OAUTH_CLIENT_ID, clientSecret: e.MAIL_OAUTH_CLIENT_SECRET, authority: e.MAIL_OAUTH_AUTHORITY, knownAuthorities: [e.MAIL_OAUTH_KNOWN_AUTHORITY] },
    });
    const token = await cca.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] });
    const imap = new ImapFlow({ host: '127.0.0.1', port: lab.ports.imaps, secure: true, servername: 'localhost', auth: { user: 'shared@lab.test', accessToken: token!.accessToken }, logger: false });
    await imap.connect();
    try {
      await imap.mailboxOpen('INBOX');
      const uids = (await imap.search({ subject: marker }, { uid: true })) || [];
      assert.ok(uids.length, `message ${marker} in the inbox`);
      const uid = String(uids[uids.length - 1]);
      const msg = await imap.fetchOne(uid, { source: true, envelope: true, bodyStructure: true }, { uid: true });
      assert.ok(msg);
      const parts = new Map<string, Buffer>();
      const leaves: { part?: string; type: string; dispositionParameters?: { filename?: string } }[] = [];
      const walk = (n: { part?: string; type: string; childNodes?: unknown[]; dispositionParameters?: { filename?: string } }): void => {
        if (n.childNodes?.length) {
          n.childNodes.forEach((c) => walk(c as typeof n));
        } else {
          leaves.push(n);
        }
      };
      walk(msg.bodyStructure as never);
      for (const leaf of leaves) {
        const { content } = await imap.download(uid, leaf.part ?? '1', { uid: true });
        const chunks: Buffer[] = [];
        for await (const c of content ?? []) {
          chunks.push(c as Buffer);
        }
        parts.set(leaf.dispositionParameters?.filename ?? leaf.type, Buffer.concat(chunks));
      }
      return { source: msg.source as Buffer, subject: msg.envelope?.subject ?? '', parts };
    } finally {
      await imap.logout();
    }
  }

  /** What the Graph stand-in received with `marker` in it (the MIME the transport posted, base64-decoded). */
  function received(marker: string): Buffer {
    const emls = fs.readdirSync(lab.outboxDir).filter((f) => f.startsWith('graph-') && f.endsWith('.eml'));
    const hit = emls.map((f) => fs.readFileSync(path.join(lab.outboxDir, f))).find((b) => b.includes(marker));
    assert.ok(hit, `Graph received ${marker}`);
    return hit;
  }

  it('the rewrite keeps sendMail() and hands nodemailer the generated Graph transport', () => {
    const src = fs.readFileSync(path.join(dir, 'send.js'), 'utf8');
    assert.match(src, /nodemailer\.createTransport\(\s*graphTransport\(\{ host: process\.env\.SMTP_HOST, user: process\.env\.MAIL_USER \}\)/);
    assert.match(src, /transport\.sendMail\(\{/);
    assert.doesNotMatch(src, /SMTP_PASSWORD|port: 587/);
    assert.match(fs.readFileSync(path.join(dir, 'mail-oauth-token.js'), 'utf8'), /function graphTransport\(/);
  });

  it('delivers text + HTML + an attachment + a non-ASCII subject, byte-faithful (read back over IMAP)', async () => {
    const marker = `graph-e2e-${Date.now()}`;
    const subject = `Grüße ✓ ${marker}`;
    const r = sendAs(subject, { MAIL_BCC: 'bob@lab.test' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /202 Accepted by Microsoft Graph/);
    assertNoSecrets(r.out, r.err);
    // the subject is MIME-encoded in the message: find it by its Message-ID
    const messageId = /^sent (<[^>]+>)/m.exec(r.out)![1];
    const posted = received(messageId);
    const back = await readBack(marker);
    assert.ok(back.source.equals(posted), 'the message read over IMAP is byte for byte what Graph received');
    assert.equal(back.subject, subject);
    assert.equal(back.parts.get('text/plain')?.toString('utf8'), 'Grüße aus Köln: plain text part');
    assert.equal(back.parts.get('text/html')?.toString('utf8'), '<p>Grüße aus <b>Köln</b>: HTML part</p>');
    const expected = Buffer.alloc(1024);
    expected.forEach((_b, i) => (expected[i] = (i * 7) & 0xff));
    assert.ok(back.parts.get('data.bin')?.equals(expected), 'attachment bytes unchanged');
    // Bcc reaches Graph in the MIME (Graph takes the recipients from the headers)
    assert.match(posted.toString('latin1'), /^Bcc: bob@lab\.test\r$/m);
  });

  it('a 5 MB attachment goes as a draft + upload session, delivered byte for byte (read back over IMAP)', async () => {
    const marker = `graph-5mb-${Date.now()}`;
    const size = 5 * 1024 * 1024;
    const r = sendAs(`Groß ✓ ${marker}`, {}, [String(size)]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /202 Accepted by Microsoft Graph \(draft\)/);
    assertNoSecrets(r.out, r.err);
    const log = fs.readFileSync(path.join(lab.logsDir, 'graph.log'), 'utf8');
    assert.match(log, new RegExp(`upload session complete: data\\.bin ${size} bytes`));
    const back = await readBack(marker);
    assert.equal(back.subject, `Groß ✓ ${marker}`);
    assert.equal(back.parts.get('text/html')?.toString('utf8'), '<p>Grüße aus <b>Köln</b>: HTML part</p>');
    const expected = Buffer.alloc(size);
    expected.forEach((_b, i) => (expected[i] = (i * 7) & 0xff));
    const got = back.parts.get('data.bin');
    assert.equal(got?.length, size);
    assert.ok(got.equals(expected), 'the 5 MB attachment arrives unchanged');
  });

  it('survives throttling: 429 + Retry-After twice, then delivered', async () => {
    await fetch(`https://127.0.0.1:${lab.ports.graph}/_lab/graph/throttle`, { method: 'POST', body: JSON.stringify({ count: 2 }) });
    const marker = `graph-429-${Date.now()}`;
    const t0 = Date.now();
    const r = sendAs(marker);
    assert.equal(r.code, 0, r.err);
    assert.ok(Date.now() - t0 >= 2000, 'waited Retry-After (1 s) twice');
    received(marker);
  });

  describe('failures name the cause and the remedy', () => {
    afterEach(() => lab.resetFaults());

    it('a token for another audience', async () => {
      await lab.setFaults({ graphTokenAudience: 'https://outlook.office365.com' });
      const r = sendAs(`graph-aud-${Date.now()}`);
      assert.notEqual(r.code, 0);
      assert.match(r.err, /401 InvalidAuthenticationToken: the access token is not for Microsoft Graph/);
      assertNoSecrets(r.out, r.err);
    });

    it('an app without Mail.Send', () => {
      const r = sendAs(`graph-perm-${Date.now()}`, { MAIL_OAUTH_CLIENT_ID: '33333333-3333-4333-8333-333333333333', MAIL_OAUTH_CLIENT_SECRET: 'lab-client-secret-3' });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /403 ErrorAccessDenied: the app lacks the Mail\.Send permission: assign the Exchange role "Application Mail\.Send"/);
      assertNoSecrets(r.out, r.err);
    });

    it('a mailbox outside the app\'s scope', () => {
      const r = sendAs(`graph-scope-${Date.now()}`, { MAIL_USER: 'alice@lab.test' });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /the app may not send as alice@lab\.test: add the mailbox to the app's management scope/);
    });

    it('a From address that is not the sending mailbox', () => {
      const r = sendAs(`graph-from-${Date.now()}`, { MAIL_FROM: 'alice@lab.test' });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /403 ErrorSendAsDenied: the From address is not shared@lab\.test: .*Add-RecipientPermission/);
    });

    it('a message over 3 MB from an app without Mail.ReadWrite (the draft route needs it)', () => {
      const cert = lab.certificate(); // this lab app has Mail.Send only
      const r = sendAs(`graph-big-denied-${Date.now()}`, { MAIL_OAUTH_CLIENT_ID: cert.clientId, MAIL_OAUTH_CLIENT_SECRET: '', MAIL_OAUTH_CERTIFICATE_PATH: cert.keyPath, MAIL_OAUTH_CERTIFICATE_THUMBPRINT: cert.thumbprint }, [String(3.5 * 1024 * 1024)]);
      assert.notEqual(r.code, 0);
      assert.match(r.err, /403 ErrorAccessDenied: the app lacks Mail\.ReadWrite, which messages over 3 MB need .*"Application Mail\.ReadWrite"/);
      assertNoSecrets(r.out, r.err);
    });
  });

  describe('EWS send code (ews-javascript-api) rewritten to Graph', () => {
    let ews: string;

    before(async () => {
      // ews-javascript-api is installed: the fixture type-checks against its real typings before the fix
      ews = await fixed(FIXTURES, 'ews-graph-ts', { typecheckBefore: true });
    });

    it('the send path becomes graphMailbox/graphMessage; password, EWS URL and EWS import are gone', () => {
      const src = fs.readFileSync(path.join(ews, 'send.ts'), 'utf8');
      assert.match(src, /^import \{ graphMailbox, graphMessage \} from '\.\/mail-oauth-token\.js';$/m);
      assert.match(src, /const service = graphMailbox\(\{ user: process\.env\.MAIL_USER!, host: 'outlook\.office365\.com' \}\);/);
      assert.match(src, /message\.ccRecipients\.push\(\{ name: 'Copy', address \}\);/);
      assert.match(src, /await message\.send\(\);/);
      assert.doesNotMatch(src, /ews-javascript-api|EWS_PASSWORD|Exchange\.asmx|WebCredentials/);
    });

    it('delivers HTML + an attachment + a non-ASCII subject to To and Cc (read back over IMAP)', async () => {
      const marker = `ews-graph-${Date.now()}`;
      const subject = `Grüße ✓ ${marker}`;
      const graphJson = (): string[] => fs.readdirSync(lab.outboxDir).filter((f) => f.startsWith('graph-') && f.endsWith('.json'));
      const before = new Set(graphJson());
      const r = run(ews, 'send.ts', [subject], { ...graph, MAIL_CC: 'bob@lab.test' });
      assert.equal(r.code, 0, r.err);
      assertNoSecrets(r.out, r.err);
      const [meta] = graphJson()
        .filter((f) => !before.has(f))
        .map((f) => JSON.parse(fs.readFileSync(path.join(lab.outboxDir, f), 'utf8')) as { format: string; to: string[]; saveToSentItems: boolean; mailbox: string });
      assert.ok(meta, 'Graph received a JSON sendMail');
      assert.equal(meta.mailbox, 'shared@lab.test');
      assert.equal(meta.saveToSentItems, true);
      const back = await readBack(marker);
      assert.equal(back.subject, subject);
      assert.equal(back.parts.get('text/html')?.toString('utf8'), '<p>Grüße aus <b>Köln</b>: EWS → Graph</p>');
      const expected = Buffer.alloc(1024);
      expected.forEach((_b, i) => (expected[i] = (i * 7) & 0xff));
      assert.ok(back.parts.get('data.bin')?.equals(expected), 'attachment bytes unchanged');
      assert.match(back.source.toString('latin1'), /^Cc: Copy <bob@lab\.test>\r?$|^Cc: bob@lab\.test\r?$/m);
    });

    it('a 5 MB attachment: over one request, sent as a draft + upload session, byte for byte', async () => {
      const marker = `ews-5mb-${Date.now()}`;
      const size = 5 * 1024 * 1024;
      const r = run(ews, 'send.ts', [marker], { ...graph, ATTACHMENT_BYTES: String(size) });
      assert.equal(r.code, 0, r.err);
      const back = await readBack(marker);
      const expected = Buffer.alloc(size);
      expected.forEach((_b, i) => (expected[i] = (i * 7) & 0xff));
      assert.ok(back.parts.get('data.bin')?.equals(expected), 'the 5 MB attachment arrives unchanged');
    });

    it('survives throttling and names the remedy when the mailbox is out of scope', async () => {
      await fetch(`https://127.0.0.1:${lab.ports.graph}/_lab/graph/throttle`, { method: 'POST', body: JSON.stringify({ count: 1 }) });
      const ok = run(ews, 'send.ts', [`ews-429-${Date.now()}`], graph);
      assert.equal(ok.code, 0, ok.err);
      const denied = run(ews, 'send.ts', [`ews-scope-${Date.now()}`], { ...graph, MAIL_USER: 'alice@lab.test' });
      assert.notEqual(denied.code, 0);
      assert.match(denied.err, /the app may not send as alice@lab\.test: add the mailbox to the app's management scope/);
      assertNoSecrets(denied.out, denied.err);
    });
  });

  describe('verify --protocol graph', () => {
    async function verifyGraph(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
      let out = '';
      const code = await verifyCommand(['--protocol', 'graph', '--format', 'json', ...args], {
        env: { ...lab.env, MAIL_OAUTH_GRAPH_ENDPOINT: `https://127.0.0.1:${lab.ports.graph}`, ...env },
        cwd: dir,
        stdout: (s) => (out += s),
        stderr: () => undefined,
      });
      return { code, out };
    }

    it('passes for the scoped mailbox without sending anything', async () => {
      const before = fs.readdirSync(lab.outboxDir).length;
      const r = await verifyGraph(['--user', 'shared@lab.test']);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /nothing was sent/);
      assert.equal(fs.readdirSync(lab.outboxDir).length, before);
      assertNoSecrets(r.out);
    });

    it('--send-test sends one message', async () => {
      const r = await verifyGraph(['--user', 'shared@lab.test', '--send-test', 'shared@lab.test']);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /sent a test message from shared@lab\.test to shared@lab\.test/);
    });

    it('names the missing scope and the missing Mail.Send', async () => {
      const scope = await verifyGraph(['--user', 'alice@lab.test']);
      assert.equal(scope.code, 1);
      assert.match(scope.out, /the app may not send as alice@lab\.test/);
      assert.match(scope.out, /New-ManagementScope/);
      const perm = await verifyGraph(['--user', 'shared@lab.test'], { MAIL_OAUTH_CLIENT_ID: '33333333-3333-4333-8333-333333333333', MAIL_OAUTH_CLIENT_SECRET: 'lab-client-secret-3' });
      assert.equal(perm.code, 1);
      assert.match(perm.out, /app token without a Mail\.Send role: fine with RBAC for Applications/);
      assert.match(perm.out, /Application Mail\.Send/);
    });
  });
});

describe('MSAL password grant rewritten to the provider token (e2e)', function () {
  this.timeout(180_000);

  before(async function () {
    await startLabOrSkip(this, 'MSAL password grant e2e');
  });

  after(stopLab);

  it('the fixed code reads the mailbox over IMAP with a client-credentials token; no password left', async () => {
    const dir = await fixed(FIXTURES, 'msal-password-grant-cjs');
    const src = fs.readFileSync(path.join(dir, 'read.js'), 'utf8');
    assert.match(src, /const result = await getMailAccessToken\('imap'\);/);
    assert.doesNotMatch(src, /MAIL_PASSWORD|acquireTokenByUsernamePassword/);
    const r = run(dir, 'read.js', []);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^messages \d+$/m);
    assertNoSecrets(r.out, r.err);
  });
});
