/** Local claim checks: audience, tenant, client, role / scope per protocol, expiry. */
import * as assert from 'node:assert/strict';
import { checkClaims, decodeJwtClaims, type ClaimsContext } from '../../../src/core/verify/claims';
import { fakeJwt } from './helpers';

const TENANT = '7e3a1c52-0000-4000-8000-00000000a001';
const CLIENT = '11111111-1111-4111-8111-111111111111';
const NOW = new Date('2026-06-01T12:00:00Z');
const nowS = NOW.getTime() / 1000;

const appClaims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  aud: 'https://outlook.office365.com',
  tid: TENANT,
  appid: CLIENT,
  idtyp: 'app',
  roles: ['SMTP.SendAsApp', 'IMAP.AccessAsApp', 'POP.AccessAsApp'],
  exp: nowS + 3600,
  nbf: nowS - 5,
  ...extra,
});
const ctx = (extra: Partial<ClaimsContext> = {}): ClaimsContext => ({
  protocol: 'smtp',
  flow: 'app',
  tenantId: TENANT,
  clientId: CLIENT,
  user: 'shared@contoso.com',
  now: NOW,
  ...extra,
});
const kinds = (token: string, c: ClaimsContext): string[] =>
  checkClaims(token, c).problems.map((p) => p.kind);

describe('verify token claims', () => {
  it('decodes a JWT payload and returns undefined for opaque tokens', () => {
    assert.equal(decodeJwtClaims(fakeJwt({ tid: 'x' }))?.tid, 'x');
    assert.equal(decodeJwtClaims('EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA'), undefined);
    assert.equal(decodeJwtClaims('a.b.c'), undefined);
  });

  it('passes a good app-only token for every protocol and reports the facts', () => {
    for (const protocol of ['smtp', 'imap', 'pop3'] as const) {
      const c = checkClaims(fakeJwt(appClaims()), ctx({ protocol }));
      assert.deepEqual(c.problems, []);
      assert.match(c.summary, /audience https:\/\/outlook\.office365\.com/);
      assert.match(c.summary, /expires in 60 min/);
    }
  });

  it('accepts the Exchange audiences (GUID, outlook.office.com, trailing slash) and a resource override', () => {
    for (const aud of [
      '00000002-0000-0ff1-ce00-000000000000',
      'https://outlook.office.com',
      'https://outlook.office365.com/',
    ]) {
      assert.deepEqual(kinds(fakeJwt(appClaims({ aud })), ctx()), []);
    }
    assert.deepEqual(
      kinds(fakeJwt(appClaims({ aud: 'https://mail.test' })), ctx({ resource: 'https://mail.test' })),
      [],
    );
  });

  it('flags a Graph token (wrong audience) with the exact scope to request', () => {
    const c = checkClaims(fakeJwt(appClaims({ aud: 'https://graph.microsoft.com' })), ctx());
    assert.deepEqual(
      c.problems.map((p) => p.kind),
      ['audience'],
    );
    assert.match(c.problems[0].remedy, /https:\/\/outlook\.office365\.com\/\.default/);
  });

  it('flags another tenant, but only compares when the configured tenant is a GUID', () => {
    assert.deepEqual(kinds(fakeJwt(appClaims({ tid: '00000000-0000-4000-8000-000000000000' })), ctx()), [
      'tenant',
    ]);
    assert.deepEqual(
      kinds(
        fakeJwt(appClaims({ tid: '00000000-0000-4000-8000-000000000000' })),
        ctx({ tenantId: 'contoso.onmicrosoft.com' }),
      ),
      [],
    );
  });

  it('flags a missing roles claim (no admin consent) with the permission and the consent step', () => {
    const c = checkClaims(fakeJwt(appClaims({ roles: undefined })), ctx({ protocol: 'imap' }));
    assert.deepEqual(
      c.problems.map((p) => p.kind),
      ['missing-role'],
    );
    assert.match(c.problems[0].text, /no roles claim/);
    assert.match(c.problems[0].remedy, /IMAP\.AccessAsApp/);
    assert.match(c.problems[0].remedy, /Grant admin consent/);
  });

  it('flags a role for another protocol, and mentions RBAC for Applications only for SMTP', () => {
    const smtp = checkClaims(fakeJwt(appClaims({ roles: ['IMAP.AccessAsApp'] })), ctx({ protocol: 'smtp' }));
    assert.match(smtp.problems[0].text, /do not include SMTP\.SendAsApp/);
    assert.match(smtp.problems[0].remedy, /RBAC for Applications/);
    const pop = checkClaims(fakeJwt(appClaims({ roles: ['IMAP.AccessAsApp'] })), ctx({ protocol: 'pop3' }));
    assert.match(pop.problems[0].text, /POP\.AccessAsApp/);
    assert.doesNotMatch(pop.problems[0].remedy, /RBAC/);
  });

  it('checks delegated scopes per protocol and notes a different signed-in user', () => {
    const user = {
      aud: 'https://outlook.office.com',
      tid: TENANT,
      appid: CLIENT,
      scp: 'IMAP.AccessAsUser.All SMTP.Send',
      upn: 'alice@contoso.com',
      exp: nowS + 600,
    };
    assert.deepEqual(
      kinds(fakeJwt(user), ctx({ flow: 'delegated', protocol: 'imap', user: 'alice@contoso.com' })),
      [],
    );
    const pop = checkClaims(
      fakeJwt(user),
      ctx({ flow: 'delegated', protocol: 'pop3', user: 'alice@contoso.com' }),
    );
    assert.deepEqual(
      pop.problems.map((p) => p.kind),
      ['missing-scope'],
    );
    assert.match(pop.problems[0].remedy, /POP\.AccessAsUser\.All/);
    const shared = checkClaims(
      fakeJwt(user),
      ctx({ flow: 'delegated', protocol: 'smtp', user: 'shared@contoso.com' }),
    );
    assert.deepEqual(shared.problems, []);
    assert.match(shared.summary, /signed in as alice@contoso\.com, logging in to shared@contoso\.com/);
  });

  it('tells a delegated token used for the app-only flow (and the reverse)', () => {
    assert.deepEqual(kinds(fakeJwt({ ...appClaims({ roles: undefined }), scp: 'SMTP.Send' }), ctx()), [
      'wrong-token-type',
    ]);
    assert.deepEqual(kinds(fakeJwt(appClaims()), ctx({ flow: 'delegated' })), ['wrong-token-type']);
  });

  it('flags a token for another client id', () => {
    assert.deepEqual(kinds(fakeJwt(appClaims({ appid: '99999999-9999-4999-8999-999999999999' })), ctx()), [
      'client',
    ]);
  });

  it('flags an expired token (exp in the past) and a token not valid yet', () => {
    const expired = checkClaims(fakeJwt(appClaims({ exp: nowS - 120 })), ctx());
    assert.deepEqual(
      expired.problems.map((p) => p.kind),
      ['expired'],
    );
    assert.match(expired.problems[0].text, /expired at 2026-06-01T11:58:00\.000Z \(2 min ago/);
    assert.match(expired.problems[0].remedy, /fresh token/);
    assert.deepEqual(kinds(fakeJwt(appClaims({ nbf: nowS + 3600 })), ctx()), ['not-yet-valid']);
  });

  it('accepts an opaque token and says the server will judge it', () => {
    const c = checkClaims('EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA', ctx({ flow: 'delegated' }));
    assert.deepEqual(c.problems, []);
    assert.match(c.summary, /not a JWT/);
  });
});
