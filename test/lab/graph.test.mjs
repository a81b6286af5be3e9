// Self-test of the lab's Microsoft Graph sendMail stand-in (servers/graph.mjs): JSON and base64-MIME bodies,
// app-only and delegated tokens, and the errors Graph gives for a wrong audience, a missing permission, an
// out-of-scope mailbox, an unknown mailbox, a foreign From and throttling.
// Run: npx mocha --no-config --timeout 60000 test/lab/graph.test.mjs
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { ImapFlow } from 'imapflow';
import { startLab, labUnavailableReason } from './lab.mjs';

describe('Microsoft Graph sendMail stand-in (test/lab)', function () {
  let lab;
  let client; // lib/lab-client.mjs, imported once the lab's ports are in the environment
  let app; // Graph app token (Mail.Send, scoped to shared@lab.test)
  let appOutlook; // Exchange Online token of the same app
  let endpoint;

  before(async function () {
    const why = labUnavailableReason();
    if (why) {
      if (process.env.LAB_REQUIRED === '1') throw new Error(why);
      this.skip();
    }
    lab = await startLab();
    Object.assign(process.env, lab.env);
    client = await import('./lib/lab-client.mjs');
    endpoint = `https://127.0.0.1:${lab.ports.graph}`;
    app = await client.appToken(undefined, client.GRAPH_DEFAULT);
    appOutlook = await client.appToken();
  });

  const send = (token, who, body, type = 'application/json') =>
    fetch(`${endpoint}/v1.0/${who === 'me' ? 'me' : `users/${encodeURIComponent(who)}`}/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const jsonMessage = (subject, to = 'bob@lab.test', extra = {}) => ({
    message: {
      subject,
      body: { contentType: 'HTML', content: '<p>hello <b>graph</b></p>' },
      toRecipients: [{ emailAddress: { address: to } }],
      ...extra,
    },
    saveToSentItems: false,
  });
  const mime = async (opts) => (await new MailComposer(opts).compile().build()).toString('base64');
  const errorOf = async (res) => (await res.json()).error;

  async function inboxHas(user, subject) {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: lab.ports.imaps,
      secure: true,
      servername: 'localhost',
      auth: { user, accessToken: appOutlook },
      logger: false,
    });
    await c.connect();
    await c.mailboxOpen('INBOX');
    const uids = await c.search({ subject });
    await c.logout();
    return uids.length > 0;
  }

  it('app token, JSON message with an attachment: 202, delivered to the lab mailbox', async () => {
    const subject = `graph json ${Date.now()}`;
    const attachments = [
      {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'r.csv',
        contentType: 'text/csv',
        contentBytes: Buffer.from('a,b\n1,2\n').toString('base64'),
      },
    ];
    const res = await send(app, 'shared@lab.test', jsonMessage(subject, 'shared@lab.test', { attachments }));
    assert.equal(res.status, 202);
    assert.equal(await res.text(), '');
    assert.equal(await inboxHas('shared@lab.test', subject), true);
  });

  it('app token, base64 MIME (text/plain): 202; the outbox .eml is the MIME that was sent', async () => {
    const subject = `graph mime ✓ ${Date.now()}`;
    const b64 = await mime({
      from: 'shared@lab.test',
      to: 'shared@lab.test',
      subject,
      text: 'plain',
      html: '<i>html</i>',
      attachments: [{ filename: 'a.txt', content: 'x' }],
    });
    const res = await send(app, 'shared@lab.test', b64, 'text/plain');
    assert.equal(res.status, 202);
    const last = readdirSync(lab.outboxDir)
      .filter((f) => f.startsWith('graph-') && f.endsWith('.eml'))
      .sort()
      .pop();
    assert.equal(readFileSync(path.join(lab.outboxDir, last)).toString('base64'), b64);
    assert.equal(await inboxHas('shared@lab.test', subject), true);
  });

  it('delegated token with Mail.Send: /me/sendMail sends as the signed-in user', async () => {
    const { accessToken } = await client.userToken(
      'alice@lab.test',
      ['Mail.Send'],
      undefined,
      'https://graph.microsoft.com',
    );
    const res = await send(accessToken, 'me', jsonMessage(`graph me ${Date.now()}`));
    assert.equal(res.status, 202);
  });

  it('an Exchange Online token is refused: 401 InvalidAuthenticationToken, invalid audience', async () => {
    const res = await send(appOutlook, 'shared@lab.test', jsonMessage('x'));
    assert.equal(res.status, 401);
    assert.match((await errorOf(res)).message, /Invalid audience/);
  });

  it('the graphTokenAudience fault makes the authority issue Graph tokens of another audience', async () => {
    await lab.setFaults({ graphTokenAudience: 'https://outlook.office365.com' });
    try {
      const { ConfidentialClientApplication } = await import('@azure/msal-node');
      const cca = new ConfidentialClientApplication(client.confidentialClientConfig());
      const r = await cca.acquireTokenByClientCredential({ scopes: [client.GRAPH_DEFAULT], skipCache: true });
      const res = await send(r.accessToken, 'shared@lab.test', jsonMessage('x'));
      assert.equal(res.status, 401);
    } finally {
      await lab.resetFaults();
    }
  });

  it('expired token: 401, lifetime validation failed', async () => {
    const claims = {
      aud: 'https://graph.microsoft.com',
      idtyp: 'app',
      appid: client.APP.clientId,
      roles: ['Mail.Send'],
    };
    const t = await client.mintToken(claims, -120);
    const res = await send(t, 'shared@lab.test', jsonMessage('x'));
    assert.equal(res.status, 401);
    assert.match((await errorOf(res)).message, /expired/);
  });

  it('app token without Mail.Send: 403 ErrorAccessDenied', async () => {
    const t = await client.appToken(client.APP_NO_ROLES, client.GRAPH_DEFAULT);
    const res = await send(t, 'shared@lab.test', jsonMessage('x'));
    assert.equal(res.status, 403);
    assert.equal((await errorOf(res)).code, 'ErrorAccessDenied');
  });

  it('app token for a mailbox outside its scope: 403 (RAOP access policy)', async () => {
    const res = await send(app, 'alice@lab.test', jsonMessage('x'));
    assert.equal(res.status, 403);
    assert.match((await errorOf(res)).message, /RAOP/);
  });

  it('unknown mailbox: 404 ErrorInvalidUser', async () => {
    const res = await send(app, 'nobody@lab.test', jsonMessage('x'));
    assert.equal(res.status, 404);
    assert.equal((await errorOf(res)).code, 'ErrorInvalidUser');
  });

  it('From is not the mailbox: 403 ErrorSendAsDenied', async () => {
    const b64 = await mime({ from: 'alice@lab.test', to: 'bob@lab.test', subject: 'spoof', text: 'x' });
    const res = await send(app, 'shared@lab.test', b64, 'text/plain');
    assert.equal(res.status, 403);
    assert.equal((await errorOf(res)).code, 'ErrorSendAsDenied');
  });

  it('not base64: 400 ErrorMimeContentInvalidBase64String', async () => {
    const res = await send(app, 'shared@lab.test', 'this is not base64 ***', 'text/plain');
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'ErrorMimeContentInvalidBase64String');
  });

  it('throttling: 429 with Retry-After, then 202', async () => {
    await fetch(`${endpoint}/_lab/graph/throttle`, { method: 'POST', body: JSON.stringify({ count: 1 }) });
    const first = await send(app, 'shared@lab.test', jsonMessage('throttled'));
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '1');
    const second = await send(app, 'shared@lab.test', jsonMessage('after retry'));
    assert.equal(second.status, 202);
  });

  describe('drafts and upload sessions (messages over 4 MB)', () => {
    const call = (method, rel, body, token = app, headers = {}) =>
      fetch(`${endpoint}/v1.0/users/shared%40lab.test/${rel}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const draft = async (subject) => {
      const r = await call('POST', 'messages', { subject, body: { contentType: 'Text', content: 'big' }, toRecipients: [{ emailAddress: { address: 'shared@lab.test' } }] });
      assert.equal(r.status, 201);
      return (await r.json()).id;
    };
    const session = async (id, size) => call('POST', `messages/${id}/attachments/createUploadSession`, { AttachmentItem: { attachmentType: 'file', name: 'big.bin', size } });
    const put = (url, bytes, start, total, headers = {}) =>
      fetch(url, { method: 'PUT', headers: { 'content-range': `bytes ${start}-${start + bytes.length - 1}/${total}`, ...headers }, body: bytes });

    it('draft + 4 MB upload in two ordered chunks + send: 202, delivered', async () => {
      const size = 4 * 1024 * 1024 + 7;
      const bytes = Buffer.alloc(size, 0x5a);
      const id = await draft('upload ok');
      const s = await session(id, size);
      assert.equal(s.status, 201);
      const { uploadUrl, nextExpectedRanges } = await s.json();
      assert.deepEqual(nextExpectedRanges, ['0-']);
      const half = 2 * 1024 * 1024;
      const first = await put(uploadUrl, bytes.subarray(0, half), 0, size);
      assert.equal(first.status, 200);
      assert.deepEqual((await first.json()).nextExpectedRanges, [`${half}-`]);
      assert.equal((await put(uploadUrl, bytes.subarray(half), half, size)).status, 201);
      assert.equal((await call('POST', `messages/${id}/send`, undefined)).status, 202);
      assert.ok(await inboxHas('shared@lab.test', 'upload ok'));
    });

    it('the limits and refusals Graph gives', async () => {
      const id = await draft('upload refusals');
      const small = await session(id, 1024);
      assert.equal((await errorOf(small)).code, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
      const { uploadUrl } = await (await session(id, 3 * 1024 * 1024)).json();
      const withToken = await put(uploadUrl, Buffer.alloc(10), 0, 3 * 1024 * 1024, { authorization: `Bearer ${app}` });
      assert.equal(withToken.status, 401);
      const outOfOrder = await put(uploadUrl, Buffer.alloc(10), 100, 3 * 1024 * 1024);
      assert.equal(outOfOrder.status, 416);
      assert.equal((await call('DELETE', `messages/${id}`)).status, 204);
      assert.equal((await errorOf(await call('POST', `messages/${id}/send`))).code, 'ErrorItemNotFound');
    });
  });
});
