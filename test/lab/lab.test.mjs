// Self-test of the local XOAUTH2 lab (authority + SMTP + Dovecot IMAP/POP3) with
// the client libraries the migrator targets, plus every fault-injection knob.
// Run: npx mocha --timeout 60000 test/lab/lab.test.mjs
// Skips (pending, with a message) only when Dovecot is not installed; with
// LAB_REQUIRED=1 (CI) a missing Dovecot is a failure instead.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import Imap from 'imap';
import Pop3Command from 'node-pop3';
import { startLab, labUnavailableReason, REPO_DIR } from './lab.mjs';
import {
  APP,
  APP_NO_ROLES,
  PUBLIC_CLIENT,
  OUTLOOK_DEFAULT,
  approveDeviceCode,
  recordConnections,
  xoauth2,
  pop3AuthXoauth2,
} from './lib/lab-client.mjs';

describe('XOAUTH2 lab (test/lab)', function () {
  let lab;
  let app; // app token (client credentials), mailbox shared@lab.test
  let alice; // delegated token, IMAP + POP + SMTP
  let bob; // delegated token, IMAP + POP + SMTP

  // MSAL options exactly as the generated token provider builds them from MAIL_OAUTH_AUTHORITY:
  // a non-Microsoft host goes into knownAuthorities, nothing else.
  const msalAuth = () => ({ authority: lab.authority, knownAuthorities: [new URL(lab.authority).host] });
  const cca = (a = APP, extra = {}) =>
    new ConfidentialClientApplication({
      auth: { clientId: a.clientId, clientSecret: a.clientSecret, ...msalAuth(), ...extra },
    });
  const pca = () =>
    new PublicClientApplication({ auth: { clientId: PUBLIC_CLIENT.clientId, ...msalAuth() } });
  const appToken = async (a = APP) =>
    (await cca(a).acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] })).accessToken;
  async function userToken(
    username,
    scopes = ['IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'SMTP.Send'],
  ) {
    const r = await pca().acquireTokenByDeviceCode({
      scopes: scopes.map((s) => `https://outlook.office365.com/${s}`),
      deviceCodeCallback: (resp) => approveDeviceCode(resp, username),
    });
    return r.accessToken;
  }

  const smtp = (user, accessToken, { secure = false, port } = {}) =>
    nodemailer.createTransport({
      host: lab.host,
      port: port ?? (secure ? lab.ports.smtps : lab.ports.smtp),
      secure,
      requireTLS: !secure,
      tls: { servername: lab.servername },
      auth: { type: 'OAuth2', user, accessToken },
    });
  const mail = (from, to = 'bob@lab.test', extra = {}) => ({
    from,
    to,
    subject: `lab test ${crypto.randomUUID()}`,
    text: 'hello',
    ...extra,
  });

  async function imapflowLogin(user, accessToken, { secure = true } = {}) {
    const c = new ImapFlow({
      host: lab.host,
      port: secure ? lab.ports.imaps : lab.ports.imap,
      secure,
      servername: lab.servername,
      auth: { user, accessToken },
      logger: false,
    });
    await c.connect();
    const box = await c.mailboxOpen('INBOX');
    await c.logout();
    return box;
  }
  const imapAuthFailed = (e) =>
    e.authenticationFailed === true && e.serverResponseCode === 'AUTHENTICATIONFAILED';

  function nodeImap(user, token) {
    return new Promise((resolve, reject) => {
      const imap = new Imap({
        user,
        xoauth2: xoauth2(user, token),
        host: lab.host,
        port: lab.ports.imaps,
        tls: true,
        tlsOptions: { servername: lab.servername },
        authTimeout: 5000,
        connTimeout: 5000,
      });
      imap.once('ready', () =>
        imap.openBox('INBOX', true, (err, box) => {
          imap.end();
          return err ? reject(err) : resolve(box);
        }),
      );
      imap.once('error', reject);
      imap.connect();
    });
  }

  async function popLogin(user, token, { tls = true, twoStep = false } = {}) {
    const p = new Pop3Command({
      host: lab.host,
      port: tls ? lab.ports.pop3s : lab.ports.pop3,
      tls,
      servername: lab.servername,
      timeout: 5000,
      user: 'unused',
      password: 'unused',
    });
    try {
      await pop3AuthXoauth2(p, user, token, { twoStep });
      const [stat] = await p.command('STAT');
      await p.QUIT();
      return stat;
    } finally {
      p._socket?.destroy();
    }
  }
  const popRejected = (e) => /\[AUTH\] Authentication failed/.test(e.message);

  before(async function () {
    const reason = labUnavailableReason();
    if (reason) {
      // CI sets LAB_REQUIRED=1 so that a missing Dovecot fails the run instead of skipping it.
      if (process.env.LAB_REQUIRED === '1') throw new Error(`LAB_REQUIRED=1 but ${reason}`);
      console.warn(`\n  SKIPPING the XOAUTH2 lab tests: ${reason}\n`);
      this.skip();
    }
    lab = await startLab();
    await lab.resetFaults();
    app = await appToken();
    alice = await userToken('alice@lab.test');
    bob = await userToken('bob@lab.test');
  });
  after(async () => {
    if (lab) await lab.stop();
  });
  afterEach(async () => {
    if (lab) await lab.resetFaults();
  });

  describe('MSAL (@azure/msal-node 7) against the lab authority', () => {
    it('client credentials with only authority + knownAuthorities; second call from cache; only 127.0.0.1 contacted', async () => {
      const net = recordConnections();
      try {
        const c = cca();
        const r = await c.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] });
        assert.equal(r.tokenType, 'Bearer');
        assert.equal(r.fromCache, false);
        const claims = decodeJwt(r.accessToken);
        assert.equal(claims.aud, 'https://outlook.office365.com');
        assert.equal(claims.appid, APP.clientId);
        assert.equal(claims.tid, lab.tenantId);
        assert.deepEqual(claims.roles, ['IMAP.AccessAsApp', 'POP.AccessAsApp', 'SMTP.SendAsApp']);
        assert.equal((await c.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] })).fromCache, true);
      } finally {
        net.stop();
      }
      // MSAL fetched exactly the OIDC metadata and the token, both from the lab.
      assert.deepEqual(
        net.requests.map((r) => r.replace(/\?.*$/, '')),
        [
          `GET ${lab.authority}/v2.0/.well-known/openid-configuration`,
          `POST ${lab.authority}/oauth2/v2.0/token`,
        ],
      );
      for (const s of net.seen) assert.match(s, /\/\/127\.0\.0\.1:/, `unexpected connection ${s}`);
    });

    it('a fresh process with only lab.env (NODE_EXTRA_CA_CERTS + MAIL_OAUTH_*) gets a token, sends via SMTP and logs in via IMAP', async () => {
      const script = `
        import { ConfidentialClientApplication } from '@azure/msal-node';
        import nodemailer from 'nodemailer';
        import { ImapFlow } from 'imapflow';
        const e = process.env;
        const host = new URL(e.MAIL_OAUTH_AUTHORITY).host;
        const cca = new ConfidentialClientApplication({ auth: { clientId: e.MAIL_OAUTH_CLIENT_ID, clientSecret: e.MAIL_OAUTH_CLIENT_SECRET, authority: e.MAIL_OAUTH_AUTHORITY, knownAuthorities: [host] } });
        const { accessToken } = await cca.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] });
        const t = nodemailer.createTransport({ host: e.LAB_HOST, port: +e.LAB_SMTP_PORT, secure: false, requireTLS: true, auth: { type: 'OAuth2', user: e.MAIL_OAUTH_USER, accessToken } });
        const info = await t.sendMail({ from: e.MAIL_OAUTH_USER, to: 'bob@lab.test', subject: 'child', text: 'x' });
        const imap = new ImapFlow({ host: e.LAB_HOST, port: +e.LAB_IMAPS_PORT, secure: true, auth: { user: e.MAIL_OAUTH_USER, accessToken }, logger: false });
        await imap.connect(); await imap.logout();
        console.log(JSON.stringify({ response: info.response }));`;
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...lab.env };
      const out = await new Promise((resolve, reject) =>
        execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          { cwd: REPO_DIR, env, timeout: 30_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      assert.match(JSON.parse(out.trim().split('\n').pop()).response, /^250 2\.6\.0/);
    });

    it('device code: user signs in, token has upn + delegated scopes, refresh token works', async () => {
      const p = pca();
      let prompt;
      const r = await p.acquireTokenByDeviceCode({
        scopes: [
          'https://outlook.office365.com/IMAP.AccessAsUser.All',
          'https://outlook.office365.com/SMTP.Send',
        ],
        deviceCodeCallback: (resp) => {
          prompt = resp.message;
          return approveDeviceCode(resp, 'alice@lab.test');
        },
      });
      assert.match(prompt, /enter the code [0-9A-F]{9}/);
      assert.equal(r.account.username, 'alice@lab.test');
      const c = decodeJwt(r.accessToken);
      assert.equal(c.upn, 'alice@lab.test');
      assert.equal(c.scp, 'IMAP.AccessAsUser.All SMTP.Send');
      const [account] = await p.getTokenCache().getAllAccounts();
      const silent = await p.acquireTokenSilent({
        account,
        scopes: ['https://outlook.office365.com/IMAP.AccessAsUser.All'],
        forceRefresh: true,
      });
      assert.equal(silent.fromCache, false, 'refresh_token grant was used');
      assert.notEqual(silent.accessToken, r.accessToken);
    });

    it('device code: user declines -> authorization_declined', async () => {
      await assert.rejects(
        pca().acquireTokenByDeviceCode({
          scopes: ['https://outlook.office365.com/IMAP.AccessAsUser.All'],
          deviceCodeCallback: async (resp) => {
            await fetch(resp.verificationUri, {
              method: 'POST',
              body: new URLSearchParams({ user_code: resp.userCode, deny: '1' }),
            });
          },
        }),
        (e) => /authorization_declined/.test(`${e.errorCode} ${e.errorMessage}`),
      );
    });
  });

  describe('SMTP (nodemailer, AUTH XOAUTH2)', () => {
    it("STARTTLS port, app token, message lands in the outbox and in bob's Maildir", async () => {
      const t = smtp('shared@lab.test', app);
      assert.equal(await t.verify(), true);
      const m = mail('shared@lab.test');
      const info = await t.sendMail(m);
      assert.match(info.response, /^250 2\.6\.0/);
      const id = info.response.match(/<([^@>]+)@lab\.test>/)[1];
      assert.deepEqual(JSON.parse(readFileSync(path.join(lab.outboxDir, `${id}.json`), 'utf8')), {
        user: 'shared@lab.test',
        from: 'shared@lab.test',
        to: ['bob@lab.test'],
      });
      const newDir = path.join(lab.mailDir, 'lab.test', 'bob', 'Maildir', 'new');
      assert.ok(
        readdirSync(newDir).some((f) => readFileSync(path.join(newDir, f), 'utf8').includes(m.subject)),
      );
    });

    it('implicit TLS port, delegated token (device code)', async () => {
      assert.match(
        (await smtp('alice@lab.test', alice, { secure: true }).sendMail(mail('alice@lab.test'))).response,
        /^250/,
      );
    });

    it('oauth2_provision_cb supplies the token', async () => {
      const t = smtp('shared@lab.test', undefined);
      const calls = [];
      t.set('oauth2_provision_cb', (user, renew, cb) => {
        calls.push({ user, renew });
        appToken().then((tok) => cb(null, tok), cb);
      });
      assert.match((await t.sendMail(mail('shared@lab.test'))).response, /^250/);
      assert.deepEqual(calls, [{ user: 'shared@lab.test', renew: false }]);
    });

    it('tampered token -> 535 5.7.3 Authentication unsuccessful', async () => {
      await assert.rejects(
        smtp('shared@lab.test', `${app.slice(0, -6)}AAAAAA`).verify(),
        (e) =>
          e.code === 'EAUTH' &&
          e.responseCode === 535 &&
          /5\.7\.3 Authentication unsuccessful/.test(e.response),
      );
    });

    it("alice's token with bob as SASL user -> 535", async () => {
      await assert.rejects(
        smtp('bob@lab.test', alice).verify(),
        (e) => e.responseCode === 535 && /token is for alice/.test(e.response),
      );
    });
  });

  describe('IMAP (Dovecot, AUTHENTICATE XOAUTH2)', () => {
    it('imapflow, IMAPS, app token', async () => {
      assert.equal((await imapflowLogin('shared@lab.test', app)).path, 'INBOX');
    });
    it('imapflow, STARTTLS port, delegated token', async () => {
      assert.equal((await imapflowLogin('alice@lab.test', alice, { secure: false })).path, 'INBOX');
    });
    it('imapflow, tampered token -> AUTHENTICATIONFAILED', async () => {
      await assert.rejects(imapflowLogin('alice@lab.test', `${alice.slice(0, -6)}AAAAAA`), imapAuthFailed);
    });
    it('imapflow, app token for a mailbox the app may not use -> AUTHENTICATIONFAILED', async () => {
      await assert.rejects(imapflowLogin('alice@lab.test', app), imapAuthFailed);
    });
    it('imapflow, password login (basic auth) -> AUTHENTICATIONFAILED', async () => {
      const c = new ImapFlow({
        host: lab.host,
        port: lab.ports.imaps,
        secure: true,
        servername: lab.servername,
        auth: { user: 'alice@lab.test', pass: 'old-password' },
        logger: false,
      });
      await assert.rejects(c.connect(), (e) => e.authenticationFailed === true);
    });
    it('imap (node-imap, xoauth2 option), delegated token', async () => {
      assert.equal((await nodeImap('alice@lab.test', alice)).name, 'INBOX');
    });
    it('imap (node-imap), app token', async () => {
      assert.equal((await nodeImap('shared@lab.test', app)).name, 'INBOX');
    });
    it('imap (node-imap), bad token -> AUTHENTICATIONFAILED', async () => {
      await assert.rejects(
        nodeImap('alice@lab.test', 'not-a-jwt'),
        (e) => e.source === 'authentication' && e.textCode === 'AUTHENTICATIONFAILED',
      );
    });
  });

  describe('POP3 (node-pop3 -> Dovecot, AUTH XOAUTH2)', () => {
    it('POP3S, delegated token, SASL-IR', async () => {
      assert.match(await popLogin('bob@lab.test', bob), /^\d+ \d+$/);
    });
    it('POP3 plain port, app token, two-step AUTH (Microsoft documented form)', async () => {
      assert.match(await popLogin('shared@lab.test', app, { tls: false, twoStep: true }), /^\d+ \d+$/);
    });
    it('POP3S, tampered token -> -ERR [AUTH]', async () => {
      await assert.rejects(popLogin('bob@lab.test', `${bob.slice(0, -6)}AAAAAA`), popRejected);
    });
  });

  it('end to end: send as shared@ via SMTP (app token), read as alice@ via IMAP and POP3 (delegated token)', async () => {
    const marker = crypto.randomUUID();
    await smtp('shared@lab.test', app).sendMail({
      from: 'shared@lab.test',
      to: 'alice@lab.test',
      subject: `e2e ${marker}`,
      text: `marker ${marker}`,
    });
    const imap = new ImapFlow({
      host: lab.host,
      port: lab.ports.imaps,
      secure: true,
      servername: lab.servername,
      auth: { user: 'alice@lab.test', accessToken: alice },
      logger: false,
    });
    await imap.connect();
    try {
      await imap.mailboxOpen('INBOX');
      const uids = await imap.search({ subject: marker }, { uid: true });
      assert.equal(uids.length, 1);
      const msg = await imap.fetchOne(String(uids[0]), { source: true }, { uid: true });
      assert.match(msg.source.toString(), new RegExp(`marker ${marker}`));
    } finally {
      await imap.logout();
    }
    const pop = new Pop3Command({
      host: lab.host,
      port: lab.ports.pop3s,
      tls: true,
      servername: lab.servername,
      timeout: 5000,
      user: 'x',
      password: 'x',
    });
    await pop3AuthXoauth2(pop, 'alice@lab.test', alice);
    const list = await pop.UIDL();
    const bodies = await Promise.all(list.map(([n]) => pop.RETR(n).then(String)));
    assert.ok(bodies.some((b) => b.includes(`marker ${marker}`)));
    await pop.QUIT();
  });

  describe('fault injection', () => {
    it('(a) smtpAuthDisabled -> 535 5.7.139 SmtpClientAuthentication is disabled for the Tenant (valid token)', async () => {
      await lab.setFaults({ smtpAuthDisabled: true });
      await assert.rejects(
        smtp('shared@lab.test', app).verify(),
        (e) =>
          e.code === 'EAUTH' &&
          e.responseCode === 535 &&
          e.response ===
            '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
      );
      await lab.setFaults({ smtpAuthDisabled: 'mailbox' });
      await assert.rejects(smtp('alice@lab.test', alice).verify(), (e) =>
        /5\.7\.139 .*disabled for the Mailbox\./.test(e.response),
      );
      await lab.resetFaults();
      assert.equal(await smtp('shared@lab.test', app).verify(), true);
    });

    it('(b) SendAs: MAIL FROM another address -> 554 5.2.252 SendAsDenied; a "sendAs" grant is honoured', async () => {
      await assert.rejects(
        smtp('alice@lab.test', alice).sendMail(mail('bob@lab.test', 'alice@lab.test')),
        (e) =>
          e.responseCode === 554 &&
          e.response === '554 5.2.252 SendAsDenied; alice@lab.test not allowed to send as bob@lab.test' &&
          e.command === 'MAIL FROM',
      );
      await assert.rejects(
        smtp('shared@lab.test', app).sendMail(mail('alice@lab.test')),
        (e) =>
          e.responseCode === 554 &&
          /SendAsDenied; shared@lab\.test not allowed to send as alice@lab\.test/.test(e.response),
      );
      // lab.config.json sendAs: alice may send as shared@
      assert.match((await smtp('alice@lab.test', alice).sendMail(mail('shared@lab.test'))).response, /^250/);
    });

    it('(b) smtpSendAsCheck=data: MAIL FROM accepted, 554 5.2.252 after DATA (envelope or header From)', async () => {
      await lab.setFaults({ smtpSendAsCheck: 'data' });
      await assert.rejects(
        smtp('alice@lab.test', alice).sendMail(mail('bob@lab.test')),
        (e) =>
          e.responseCode === 554 &&
          /SendAsDenied; alice@lab\.test not allowed to send as bob@lab\.test/.test(e.response) &&
          /DATA/.test(e.command),
      );
      await assert.rejects(
        smtp('alice@lab.test', alice).sendMail({
          ...mail('bob@lab.test'),
          envelope: { from: 'alice@lab.test', to: 'bob@lab.test' },
        }),
        (e) => e.responseCode === 554 && /not allowed to send as bob@lab\.test/.test(e.response),
      );
      await lab.setFaults({ smtpSendAsCheck: 'off' });
      assert.match((await smtp('alice@lab.test', alice).sendMail(mail('bob@lab.test'))).response, /^250/);
    });

    it('(c) tokenTtlSeconds: the token expires during a long-lived process; new logins with it are rejected everywhere', async () => {
      await lab.setFaults({ tokenTtlSeconds: 3 });
      const c = cca();
      const r = await c.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] });
      const claims = decodeJwt(r.accessToken);
      assert.equal(claims.exp - claims.iat, 3);
      // MSAL refreshes tokens that expire within 5 minutes, so it never serves this one from cache.
      assert.equal((await c.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] })).fromCache, false);
      const token = r.accessToken;
      assert.equal(await smtp('shared@lab.test', token).verify(), true);
      const session = new ImapFlow({
        host: lab.host,
        port: lab.ports.imaps,
        secure: true,
        servername: lab.servername,
        auth: { user: 'shared@lab.test', accessToken: token },
        logger: false,
      });
      await session.connect();
      try {
        await sleep(claims.exp * 1000 - Date.now() + 1200);
        await assert.rejects(
          smtp('shared@lab.test', token).verify(),
          (e) => e.responseCode === 535 && /ERR_JWT_EXPIRED/.test(e.response),
        );
        await assert.rejects(imapflowLogin('shared@lab.test', token), imapAuthFailed);
        await assert.rejects(popLogin('shared@lab.test', token), popRejected);
        // Dovecot (like Exchange) does not cut a session that authenticated before expiry.
        await session.noop();
        assert.equal(session.usable, true);
      } finally {
        await session.logout();
      }
      // A client that asks MSAL again gets a fresh token and gets in.
      assert.equal(
        (
          await imapflowLogin(
            'shared@lab.test',
            (await c.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] })).accessToken,
          )
        ).path,
        'INBOX',
      );
    });

    it('(d) app without roles: MSAL token has no roles claim; SMTP 535, IMAP and POP3 refuse it', async () => {
      const token = await appToken(APP_NO_ROLES);
      const claims = decodeJwt(token);
      assert.equal(claims.appid, '33333333-3333-4333-8333-333333333333');
      assert.equal(claims.roles, undefined);
      await assert.rejects(
        smtp('shared@lab.test', token).verify(),
        (e) => e.responseCode === 535 && /lacks role SMTP\.SendAsApp/.test(e.response),
      );
      await assert.rejects(imapflowLogin('shared@lab.test', token), imapAuthFailed);
      await assert.rejects(popLogin('shared@lab.test', token), popRejected);
    });

    it('(e) wrong secret -> invalid_client AADSTS7000215', async () => {
      await assert.rejects(
        cca({ ...APP, clientSecret: 'wrong' }).acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] }),
        (e) =>
          e.errorCode === 'invalid_client' &&
          e.errorMessage.includes('Description: AADSTS7000215: Invalid client secret provided.') &&
          String(e.errorNo) === '7000215',
      );
    });

    it('certificate credential: a client assertion signed with the registered key gets an app token that logs in', async () => {
      const cert = lab.certificate();
      const c = new ConfidentialClientApplication({
        auth: {
          clientId: cert.clientId,
          clientCertificate: { thumbprintSha256: cert.thumbprint, privateKey: cert.privateKey },
          ...msalAuth(),
        },
      });
      const r = await c.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] });
      const claims = decodeJwt(r.accessToken);
      assert.equal(claims.appid, cert.clientId);
      assert.deepEqual(claims.roles, ['IMAP.AccessAsApp', 'POP.AccessAsApp', 'SMTP.SendAsApp']);
      await smtp('shared@lab.test', r.accessToken).verify();
    });

    it('(e) certificate credential signed with another key -> invalid_client AADSTS700027', async () => {
      const cert = lab.certificate();
      const other = crypto
        .generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' });
      const c = new ConfidentialClientApplication({
        auth: {
          clientId: cert.clientId,
          clientCertificate: { thumbprintSha256: cert.thumbprint, privateKey: other },
          ...msalAuth(),
        },
      });
      await assert.rejects(
        c.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] }),
        (e) => e.errorCode === 'invalid_client' && String(e.errorNo) === '700027',
      );
      // and the right key with a thumbprint of a certificate the app does not have
      const wrongThumb = new ConfidentialClientApplication({
        auth: {
          clientId: cert.clientId,
          clientCertificate: { thumbprintSha256: 'AB'.repeat(32), privateKey: cert.privateKey },
          ...msalAuth(),
        },
      });
      await assert.rejects(
        wrongThumb.acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] }),
        (e) => String(e.errorNo) === '700027',
      );
    });

    it('(e) unknown client id -> unauthorized_client AADSTS700016', async () => {
      const id = '44444444-4444-4444-8444-444444444444';
      await assert.rejects(
        cca({ clientId: id, clientSecret: 'x' }).acquireTokenByClientCredential({
          scopes: [OUTLOOK_DEFAULT],
        }),
        (e) =>
          e.errorCode === 'unauthorized_client' &&
          e.errorMessage.includes(
            `Description: AADSTS700016: Application with identifier '${id}' was not found in the directory `,
          ),
      );
    });

    it('(e) client credentials with a scope lacking /.default -> invalid_scope AADSTS1002012', async () => {
      await assert.rejects(
        cca().acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/IMAP.AccessAsApp'] }),
        (e) =>
          e.errorCode === 'invalid_scope' &&
          e.errorMessage.includes(
            'Description: AADSTS1002012: The provided value for scope https://outlook.office365.com/IMAP.AccessAsApp is not valid.',
          ),
      );
    });

    it('(e) resource not in tenant -> invalid_resource AADSTS500011', async () => {
      await assert.rejects(
        cca().acquireTokenByClientCredential({ scopes: ['https://graph.lab.test/.default'] }),
        (e) => e.errorCode === 'invalid_resource' && /Description: AADSTS500011: /.test(e.errorMessage),
      );
    });

    it('(e) tokenError fault (expired secret AADSTS7000222) in Entra JSON shape; MSAL surfaces it', async () => {
      await lab.setFaults({ tokenError: 'AADSTS7000222' });
      await assert.rejects(
        cca().acquireTokenByClientCredential({ scopes: [OUTLOOK_DEFAULT] }),
        (e) =>
          e.errorCode === 'invalid_client' &&
          /Description: AADSTS7000222: The provided client secret keys for app '11111111-/.test(
            e.errorMessage,
          ),
      );
      const res = await fetch(`${lab.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: APP.clientId,
          client_secret: APP.clientSecret,
          scope: OUTLOOK_DEFAULT,
        }),
      });
      assert.equal(res.status, 401);
      const body = await res.json();
      assert.deepEqual(Object.keys(body).sort(), [
        'correlation_id',
        'error',
        'error_codes',
        'error_description',
        'error_uri',
        'timestamp',
        'trace_id',
      ]);
      assert.deepEqual(body.error_codes, [7000222]);
      assert.match(
        body.error_description,
        /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
      );
      await lab.setFaults({ tokenError: { code: 53003, grantTypes: ['device_code'] } }); // Conditional Access, device code only
      assert.ok(await appToken(), 'client credentials unaffected');
      // MSAL's device-code poller keeps only the error code (AuthError post_request_failed: invalid_grant), not the AADSTS text.
      await assert.rejects(
        userToken('alice@lab.test'),
        (e) => e.errorCode === 'post_request_failed' && /invalid_grant/.test(e.errorMessage),
      );
    });

    it('disabledProtocols: IMAP disabled for the mailbox, POP3 still works', async () => {
      await lab.setFaults({ disabledProtocols: ['imap'] });
      await assert.rejects(imapflowLogin('alice@lab.test', alice), imapAuthFailed);
      assert.match(await popLogin('alice@lab.test', alice), /^\d+ \d+$/);
    });

    it('smtpXoauth2Failure=challenge: 334 then 535, nodemailer re-provisions once with renew=true', async () => {
      await lab.setFaults({ smtpXoauth2Failure: 'challenge' });
      const t = smtp('shared@lab.test', undefined);
      const calls = [];
      t.set('oauth2_provision_cb', (user, renew, cb) => {
        calls.push(renew);
        cb(null, renew ? app : 'stale.token.value');
      });
      assert.match((await t.sendMail(mail('shared@lab.test'))).response, /^250/);
      assert.deepEqual(calls, [false, true]);
    });

    it('rejects unknown fault keys', async () => {
      await assert.rejects(lab.setFaults({ noSuchFault: 1 }), /unknown fault key noSuchFault/);
    });
  });
});
