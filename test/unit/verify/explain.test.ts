/** Error mapping: every known failure gets a plain explanation and the exact remedy. */
import * as assert from 'node:assert/strict';
import type { ClaimProblem } from '../../../src/core/verify/claims';
import {
  AADSTS,
  explainAuthFailure,
  explainMailFromFailure,
  explainNetworkError,
  explainTokenError,
  needsAuthorityProbe,
  type AuthContext,
  type TokenErrorContext,
} from '../../../src/core/verify/explain';
import { msalServerError } from './helpers';

const T: TokenErrorContext = {
  flow: 'app',
  clientId: '11111111-1111-4111-8111-111111111111',
  tenantId: '7e3a1c52-0000-4000-8000-00000000a001',
  authority: 'https://login.microsoftonline.com/7e3a1c52-0000-4000-8000-00000000a001',
  credential: 'secret',
};
const A = (extra: Partial<AuthContext> = {}): AuthContext => ({
  protocol: 'smtp',
  flow: 'app',
  user: 'shared@contoso.com',
  clientId: T.clientId,
  claimProblems: [],
  ...extra,
});
const sysErr = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('verify error mapping: token endpoint (AADSTS)', () => {
  const cases: [number, string, RegExp, RegExp][] = [
    [7000215, 'invalid_client', /invalid client secret/, /Value.*not the secret|Secret ID/],
    [7000222, 'invalid_client', /expired/, /New client secret/],
    [700016, 'unauthorized_client', /no application with this client ID/, /Application \(client\) ID/],
    [1002012, 'invalid_scope', /scope/, /https:\/\/outlook\.office365\.com\/\.default/],
    [70011, 'invalid_scope', /invalid/, /\.default alone/],
    [65001, 'invalid_grant', /consent/, /Grant admin consent/],
    [90002, 'invalid_tenant', /tenant was not found/, /Directory \(tenant\) ID/],
    [500011, 'invalid_resource', /Exchange Online\) was not found/, /licence|outlook\.office365\.com/],
    [700027, 'invalid_client', /certificate/, /THUMBPRINT/],
    [53003, 'access_denied', /Conditional Access/, /sign-in logs/],
  ];
  for (const [code, error, detail, remedy] of cases) {
    it(`AADSTS${code}`, () => {
      const x = explainTokenError(msalServerError(code, error, 'Entra text for the test.'), T);
      assert.match(x.detail, new RegExp(`^AADSTS${code}:`));
      assert.match(x.detail, detail);
      assert.match(x.remedy, remedy);
      assert.doesNotMatch(x.detail, /Correlation ID|Trace ID/);
    });
  }

  it('explains AADSTS7000218 differently for device code (public client flows off)', () => {
    const x = explainTokenError(msalServerError(7000218, 'invalid_client', 'no secret'), {
      ...T,
      flow: 'delegated',
    });
    assert.match(x.remedy, /Allow public client flows/);
  });

  it('points unknown AADSTS codes to the lookup page', () => {
    const x = explainTokenError(msalServerError(123456, 'invalid_request', 'Something new.'), T);
    assert.match(x.detail, /AADSTS123456/);
    assert.match(x.remedy, /login\.microsoftonline\.com\/error\?code=123456/);
  });

  it('knows every code the brief lists', () => {
    for (const code of ['7000215', '700016', '1002012', '70011', '65001', '7000222']) {
      assert.ok(AADSTS[code], code);
    }
  });

  it('explains a timeout, a cancelled sign-in, a declined or expired device code, and MSAL metadata failures', () => {
    assert.match(
      explainTokenError(new Error('x'), { ...T, timedOut: true, timeoutMs: 40_000 }).detail,
      /no token within 40 s/,
    );
    assert.match(
      explainTokenError(Object.assign(new Error('c'), { errorCode: 'device_code_expired' }), T).detail,
      /device code expired/,
    );
    assert.match(
      explainTokenError(new Error('post_request_failed: authorization_declined'), T).detail,
      /declined/,
    );
    const meta = Object.assign(new Error('endpoints_resolution_error: Endpoints cannot be resolved'), {
      errorCode: 'endpoints_resolution_error',
    });
    assert.ok(needsAuthorityProbe(meta));
    assert.match(explainTokenError(meta, T).detail, /could not load the authority's metadata/);
  });

  it('uses the authority probe to name a hidden TLS, connection or tenant error', () => {
    const meta = Object.assign(new Error('endpoints_resolution_error'), {
      errorCode: 'endpoints_resolution_error',
    });
    const tlsX = explainTokenError(meta, {
      ...T,
      probe: { error: sysErr('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain') },
    });
    assert.match(tlsX.detail, /could not reach the sign-in authority: the TLS certificate .* is not trusted/);
    assert.match(tlsX.remedy, /NODE_EXTRA_CA_CERTS/);
    const refused = explainTokenError(meta, { ...T, probe: { error: sysErr('ECONNREFUSED') } });
    assert.match(refused.detail, /connection refused/);
    assert.match(refused.remedy, /MAIL_OAUTH_AUTHORITY/);
    const tenant = explainTokenError(meta, {
      ...T,
      probe: {
        status: 400,
        body: '{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant not found."}',
      },
    });
    assert.match(tenant.detail, /AADSTS90002/);
  });

  it('finds a socket error nested in MSAL network errors', () => {
    const nested = Object.assign(new Error('network_error: Network request failed: fetch failed'), {
      errorCode: 'network_error',
      cause: Object.assign(new TypeError('fetch failed'), {
        cause: sysErr('ENOTFOUND', 'getaddrinfo ENOTFOUND login.example'),
      }),
    });
    const x = explainTokenError(nested, T);
    assert.match(x.detail, /could not reach the sign-in authority: .*does not resolve/);
  });
});

describe('verify error mapping: network and TLS', () => {
  const c = { host: 'smtp.office365.com', port: 587 };
  it('ECONNREFUSED, ENOTFOUND, ETIMEDOUT and our own timeout', () => {
    assert.match(
      explainNetworkError(sysErr('ECONNREFUSED'), c).detail,
      /connection refused by smtp\.office365\.com:587/,
    );
    assert.match(explainNetworkError(sysErr('ENOTFOUND'), c).detail, /does not resolve/);
    assert.match(explainNetworkError(sysErr('ETIMEDOUT'), c).remedy, /firewall/);
    assert.match(
      explainNetworkError(sysErr('VERIFY_TIMEOUT'), { ...c, timeoutMs: 5000 }).detail,
      /within 5 s/,
    );
  });
  it('untrusted certificates: UNABLE_TO_VERIFY_LEAF_SIGNATURE, self-signed (leaf or chain)', () => {
    for (const code of [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ]) {
      const x = explainNetworkError(sysErr(code, 'unable to verify'), c);
      assert.match(x.detail, /not trusted/);
      assert.match(x.remedy, /NODE_EXTRA_CA_CERTS/);
      assert.match(x.remedy, /Do not turn certificate checks off/);
    }
  });
  it('hostname mismatch, expired certificate, TLS mode mismatch', () => {
    assert.match(
      explainNetworkError(
        sysErr('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
        { ...c, servername: 'x.test' },
      ).detail,
      /not valid for the name x\.test/,
    );
    assert.match(explainNetworkError(sysErr('CERT_HAS_EXPIRED'), c).detail, /expired/);
    assert.match(
      explainNetworkError(new Error('write EPROTO ...:wrong version number:...'), c).remedy,
      /--tls starttls/,
    );
  });
});

describe('verify error mapping: server replies', () => {
  it('535 5.7.139 SMTP AUTH disabled for the tenant → Set-CASMailbox / Set-TransportConfig', () => {
    const x = explainAuthFailure(
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
      A(),
    );
    assert.match(x.detail, /turned off for the whole tenant/);
    assert.match(
      x.remedy,
      /Set-CASMailbox -Identity shared@contoso\.com -SmtpClientAuthenticationDisabled \$false/,
    );
    assert.match(x.remedy, /Set-TransportConfig -SmtpClientAuthenticationDisabled \$false/);
  });
  it('535 5.7.139 disabled for the Mailbox', () => {
    const x = explainAuthFailure(
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.',
      A(),
    );
    assert.match(x.detail, /turned off for the mailbox/);
    assert.match(x.remedy, /Set-CASMailbox/);
  });
  it('535 5.7.139 basic authentication is disabled (the other variant)', () => {
    const x = explainAuthFailure(
      '535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR01CA0001]',
      A(),
    );
    assert.match(x.detail, /Basic authentication/);
    assert.match(
      x.remedy,
      /Set-CASMailbox -Identity shared@contoso\.com -SmtpClientAuthenticationDisabled \$false/,
    );
    assert.match(x.remedy, /--flow delegated/);
  });
  it('535 5.7.139 security defaults', () => {
    assert.match(
      explainAuthFailure(
        "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.",
        A(),
      ).detail,
      /security defaults/,
    );
  });
  it('550 5.7.30 Basic authentication is not supported for Client Submission', () => {
    const x = explainAuthFailure(
      '550 5.7.30 Basic authentication is not supported for Client Submission.',
      A(),
    );
    assert.match(x.remedy, /XOAUTH2/);
  });
  it('535 5.7.3 lists the service principal ObjectId pitfall and the mailbox permission', () => {
    const x = explainAuthFailure('535 5.7.3 Authentication unsuccessful [AM0PR01CA0001]', A());
    assert.match(x.detail, /generic answer to a bad OAuth login/);
    assert.match(
      x.remedy,
      /New-ServicePrincipal -AppId 11111111-1111-4111-8111-111111111111 -ObjectId <Enterprise application Object ID>/,
    );
    assert.match(x.remedy, /NOT the Object ID shown under App registrations/);
    assert.match(x.remedy, /Add-MailboxPermission -Identity shared@contoso\.com/);
    assert.match(x.remedy, /SMTP\.SendAsApp/);
  });
  it('puts problems found in the claims first and drops causes the claims ruled out', () => {
    const expired: ClaimProblem = { kind: 'expired', text: 'the token expired at X', remedy: 'r' };
    const x = explainAuthFailure('535 5.7.3 Authentication unsuccessful', A({ claimProblems: [expired] }));
    assert.match(x.remedy, /^Likely causes, most likely first: \(1\) the token expired at X/);
    const verified = explainAuthFailure(
      'NO AUTHENTICATE failed.',
      A({ protocol: 'imap', claimsVerified: true }),
    );
    assert.doesNotMatch(verified.remedy, /must carry the application permission/);
    assert.match(verified.remedy, /The token itself looked right/);
  });
  it('IMAP NO AUTHENTICATE failed: permission, ObjectId, FullAccess, IMAP enabled', () => {
    const x = explainAuthFailure('NO AUTHENTICATE failed.', A({ protocol: 'imap' }));
    assert.match(x.detail, /IMAP rejected the XOAUTH2 login/);
    assert.match(x.remedy, /IMAP\.AccessAsApp/);
    assert.match(x.remedy, /Enterprise application/);
    assert.match(x.remedy, /FullAccess/);
    assert.match(x.remedy, /-ImapEnabled \$true/);
  });
  it('POP -ERR Authentication failure: POP permission and -PopEnabled', () => {
    const x = explainAuthFailure(
      '-ERR Authentication failure: unknown user name or bad password.',
      A({ protocol: 'pop3' }),
    );
    assert.match(x.remedy, /POP\.AccessAsApp/);
    assert.match(x.remedy, /-PopEnabled \$true/);
  });
  it('delegated rejections talk about the signed-in user', () => {
    const x = explainAuthFailure('NO AUTHENTICATE failed.', A({ protocol: 'imap', flow: 'delegated' }));
    assert.match(x.remedy, /IMAP\.AccessAsUser\.All/);
    assert.match(x.remedy, /signed-in user/);
  });
  it('IMAP BYE AccessTokenExpired', () => {
    assert.match(
      explainAuthFailure('* BYE Session invalidated - AccessTokenExpired', A({ protocol: 'imap' })).detail,
      /expired/,
    );
  });
  it('554 5.2.252 SendAsDenied → Add-RecipientPermission with the right trustee', () => {
    const app = explainMailFromFailure(
      '554 5.2.252 SendAsDenied; shared@contoso.com not allowed to send as ceo@contoso.com',
      { user: 'shared@contoso.com', from: 'ceo@contoso.com', flow: 'app' },
    );
    assert.match(app.detail, /may not send as ceo@contoso\.com/);
    assert.match(
      app.remedy,
      /Add-RecipientPermission -Identity ceo@contoso\.com -Trustee <Enterprise application Object ID> -AccessRights SendAs/,
    );
    const user = explainMailFromFailure('554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException', {
      user: 'alice@contoso.com',
      from: 'ceo@contoso.com',
      flow: 'delegated',
    });
    assert.match(user.remedy, /-Trustee alice@contoso\.com/);
  });
});
