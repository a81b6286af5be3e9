/**
 * verify() without the test bed: configuration checks, what goes to MSAL (authority,
 * knownAuthorities, scopes), redaction of whatever a failing token source echoes, and the
 * connection failures a plain TCP fake can produce. The real protocol paths run in
 * test/e2e/verify.e2e.test.ts against the lab.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { verify, type TokenRequest, type VerifyInput, type VerifyReport } from '../../../src/core/verify';
import { fakeJwt, msalServerError } from './helpers';

const TENANT = '7e3a1c52-0000-4000-8000-00000000a001';
const CLIENT = '11111111-1111-4111-8111-111111111111';
const SECRET = 'Abc8Q~unit-test-secret-value-000000000';

const base = (extra: Partial<VerifyInput> = {}): VerifyInput => ({
  protocol: 'smtp',
  host: '127.0.0.1',
  user: 'shared@contoso.com',
  tenantId: TENANT,
  clientId: CLIENT,
  clientSecret: SECRET,
  timeoutMs: 2000,
  ...extra,
});
const goodToken = (): string =>
  fakeJwt({
    aud: 'https://outlook.office365.com',
    tid: TENANT,
    appid: CLIENT,
    idtyp: 'app',
    roles: ['SMTP.SendAsApp', 'IMAP.AccessAsApp', 'POP.AccessAsApp'],
    exp: Math.floor(Date.now() / 1000) + 3600,
  });

const names = (r: VerifyReport): string => r.steps.map((s) => `${s.name}:${s.ok ? 'ok' : 'FAIL'}`).join(' ');
const all = (r: VerifyReport): string => JSON.stringify(r);
function assertClean(r: VerifyReport, ...secrets: string[]): void {
  const text = all(r);
  for (const s of [SECRET, ...secrets]) {
    assert.ok(!text.includes(s), `report leaks ${s.slice(0, 8)}…`);
  }
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}/);
  assert.doesNotMatch(text, /dXNlcj[A-Za-z0-9+/]{10,}/);
}

/** A TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A plain-TCP server that runs `onConn` for each connection. */
async function fakeServer(
  onConn: (sock: net.Socket) => void,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    onConn(sock);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((x) => x.destroy());
        s.close(() => r());
      }),
  };
}

describe('verify() (no test bed)', function () {
  this.timeout(20_000);

  describe('step 1: configuration', () => {
    it('reports every missing value with where to find it, and stops there', async () => {
      const r = await verify({ protocol: 'imap', host: 'outlook.office365.com' });
      assert.equal(names(r), 'configuration:FAIL');
      assert.equal(r.ok, false);
      assert.match(r.steps[0].detail, /no mailbox given/);
      assert.match(r.steps[0].detail, /no client ID/);
      assert.match(r.steps[0].detail, /no tenant ID/);
      assert.match(r.steps[0].detail, /no client credential/);
      assert.match(r.steps[0].remedy!, /MAIL_OAUTH_CLIENT_ID/);
      assert.match(r.steps[0].remedy!, /MAIL_OAUTH_TENANT_ID/);
      assert.match(r.steps[0].remedy!, /MAIL_OAUTH_CLIENT_SECRET/);
    });

    it('rejects a client ID that is not a GUID and a mailbox that is not an address', async () => {
      const r = await verify(base({ clientId: 'My Mail App', user: 'shared' }));
      assert.match(r.steps[0].detail, /is not a GUID/);
      assert.match(r.steps[0].detail, /not a mailbox address/);
    });

    it('refuses app-only for Outlook.com hosts and delegated without a device code display', async () => {
      const consumer = await verify(base({ host: 'smtp-mail.outlook.com', flow: 'app' }));
      assert.match(consumer.steps[0].detail, /Outlook\.com/);
      assert.match(consumer.steps[0].remedy!, /--flow delegated/);
      const delegated = await verify(base({ flow: 'delegated' }));
      assert.match(delegated.steps[0].detail, /device code/);
    });

    it('checks a certificate credential: readable PEM key and a hex thumbprint', async () => {
      const missing = await verify(
        base({ clientSecret: undefined, certificate: { path: '/nonexistent/key.pem', thumbprint: 'zz' } }),
      );
      assert.match(missing.steps[0].detail, /cannot read the certificate key file/);
      assert.match(missing.steps[0].detail, /THUMBPRINT/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-verify-'));
      const pem = path.join(dir, 'cert.pem');
      fs.writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const noKey = await verify(
        base({ clientSecret: undefined, certificate: { path: pem, thumbprint: 'a'.repeat(64) } }),
      );
      assert.match(noKey.steps[0].detail, /no unencrypted PEM private key/);
    });

    it('notes a secret that looks like a Secret ID, and a TLS mode unusual for the port', async () => {
      let seen: TokenRequest | undefined;
      const r = await verify(
        base({
          clientSecret: '6f1c1c1e-1111-4111-8111-111111111111',
          port: await closedPort(),
          tls: 'implicit',
        }),
        {
          acquireToken: async (req) => {
            seen = req;
            throw msalServerError(7000215, 'invalid_client', 'Invalid client secret provided.');
          },
        },
      );
      assert.ok(seen);
      assert.match(r.steps[0].detail, /looks like a GUID: that is usually the Secret ID/);
      assert.equal(r.steps[1].name, 'token');
      assert.match(r.steps[1].detail, /AADSTS7000215/);
    });
  });

  describe('what goes to MSAL', () => {
    const capture = async (input: VerifyInput): Promise<TokenRequest> => {
      let seen: TokenRequest | undefined;
      await verify(
        { ...input, port: await closedPort() },
        {
          acquireToken: async (req) => {
            seen = req;
            throw new Error('stop');
          },
          deviceCodeCallback: () => undefined,
        },
      );
      assert.ok(seen, 'acquireToken was called');
      return seen;
    };

    it('app-only against Exchange Online: tenant authority, no knownAuthorities, the /.default scope', async () => {
      const req = await capture(base({ host: 'smtp.office365.com' }));
      assert.equal(req.authority, `https://login.microsoftonline.com/${TENANT}`);
      assert.equal(req.knownAuthorities, undefined);
      assert.deepEqual(req.scopes, ['https://outlook.office365.com/.default']);
      assert.equal(req.clientSecret, SECRET);
    });

    it('a non-Microsoft authority (test bed) becomes knownAuthorities [host:port]', async () => {
      const req = await capture(base({ authority: `https://127.0.0.1:18443/${TENANT}` }));
      assert.deepEqual(req.knownAuthorities, ['127.0.0.1:18443']);
    });

    it('sovereign hosts use their login host and resource', async () => {
      const req = await capture(base({ host: 'outlook.office365.us', protocol: 'imap' }));
      assert.equal(req.authority, `https://login.microsoftonline.us/${TENANT}`);
      assert.deepEqual(req.scopes, ['https://outlook.office365.us/.default']);
    });

    it('delegated: resource-qualified scope plus offline_access; Outlook.com uses /consumers', async () => {
      const req = await capture(base({ flow: 'delegated', protocol: 'imap', clientSecret: undefined }));
      assert.deepEqual(req.scopes, ['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access']);
      assert.equal(req.clientSecret, undefined);
      const consumer = await capture(
        base({ host: 'smtp-mail.outlook.com', clientSecret: undefined, tenantId: undefined }),
      );
      assert.equal(consumer.flow, 'delegated');
      assert.equal(consumer.authority, 'https://login.microsoftonline.com/consumers');
      assert.deepEqual(consumer.scopes, ['https://outlook.office.com/SMTP.Send', 'offline_access']);
    });
  });

  describe('redaction', () => {
    it('masks a secret and a token that a failing token source echoes', async () => {
      const token = goodToken();
      const r = await verify(base({ port: await closedPort() }), {
        acquireToken: async () => {
          throw new Error(
            `boom client_secret=${SECRET} access_token=${token} Authorization: Bearer ${token}`,
          );
        },
      });
      assert.equal(r.steps[1].ok, false);
      assertClean(r, token);
    });

    it('never shows the token when later steps fail', async () => {
      const token = goodToken();
      const r = await verify(base({ port: await closedPort() }), {
        acquireToken: async () => ({ accessToken: token }),
      });
      assert.equal(names(r), 'configuration:ok token:ok claims:ok connect:FAIL');
      assertClean(r, token);
    });
  });

  describe('claims and connection failures', () => {
    it('expired token (exp in the past) fails the claims step; a closed port fails connect with ECONNREFUSED', async () => {
      const expired = fakeJwt({
        aud: 'https://outlook.office365.com',
        tid: TENANT,
        appid: CLIENT,
        roles: ['SMTP.SendAsApp'],
        exp: Math.floor(Date.now() / 1000) - 60,
      });
      const port = await closedPort();
      const r = await verify(base({ port }), { acquireToken: async () => ({ accessToken: expired }) });
      assert.equal(names(r), 'configuration:ok token:ok claims:FAIL connect:FAIL');
      assert.match(r.steps[2].detail, /expired at/);
      assert.match(r.steps[3].detail, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
      assert.match(r.steps[3].remedy!, /smtp\.office365\.com:587/);
      assertClean(r, expired);
    });

    it('uses the injected clock for expiry', async () => {
      const r = await verify(base({ port: await closedPort() }), {
        acquireToken: async () => ({ accessToken: goodToken() }),
        now: () => new Date(Date.now() + 2 * 3600_000),
      });
      assert.equal(r.steps[2].ok, false);
      assert.match(r.steps[2].detail, /expired/);
    });

    it('a server that never greets (implicit-TLS port used with STARTTLS) → use --tls implicit', async () => {
      const srv = await fakeServer(() => undefined);
      try {
        const r = await verify(base({ port: srv.port, tls: 'starttls', timeoutMs: 400 }), {
          acquireToken: async () => ({ accessToken: goodToken() }),
        });
        const connect = r.steps.find((s) => s.name === 'connect')!;
        assert.equal(connect.ok, false);
        assert.match(connect.detail, /sent no greeting/);
        assert.match(connect.remedy!, /--tls implicit/);
      } finally {
        await srv.close();
      }
    });

    it('an SMTP server without STARTTLS is refused before any credential is sent', async () => {
      let received = '';
      const srv = await fakeServer((sock) => {
        sock.write('220 fake ESMTP\r\n');
        sock.on('data', (d) => {
          received += d.toString();
          if (/EHLO/.test(d.toString())) {
            sock.write('250-fake\r\n250 AUTH LOGIN PLAIN\r\n');
          }
        });
      });
      try {
        const token = goodToken();
        const r = await verify(base({ port: srv.port }), {
          acquireToken: async () => ({ accessToken: token }),
        });
        const connect = r.steps.find((s) => s.name === 'connect')!;
        assert.equal(connect.ok, false);
        assert.match(connect.detail, /does not offer STARTTLS/);
        assert.doesNotMatch(received, /AUTH/);
        assertClean(r, token);
      } finally {
        await srv.close();
      }
    });

    it('a cancelled run reports it', async () => {
      const ctl = new AbortController();
      const r = await verify(base({ port: await closedPort() }), {
        signal: ctl.signal,
        acquireToken: async (req) => {
          ctl.abort();
          await new Promise((res) => setTimeout(res, 10));
          if (req.signal?.aborted) {
            throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
          }
          return { accessToken: goodToken() };
        },
      });
      assert.equal(r.ok, false);
      assert.match(r.steps[r.steps.length - 1].detail, /cancelled/);
    });
  });
});
