/** `explain`: pasted replies, AADSTS and Graph errors, tokens → cause and remedy; offline; tokens never echoed. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { explainCommand } from '../../../src/core/explain/cli';
import { explainText } from '../../../src/core/explain';

const NOW = new Date('2026-12-01T10:00:00Z');
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: object): string =>
  `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
const exp = Math.floor(NOW.getTime() / 1000) + 3000;

function run(args: string[], stdin = ''): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = explainCommand(args, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    stdin: () => stdin,
    now: NOW,
  });
  return { code, out, err };
}

describe('explain: pasted messages', () => {
  const cases: [string, string, RegExp, RegExp][] = [
    [
      'smtp basic off',
      'Error: Invalid login: 535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0P.OUTLOOK.COM]',
      /password \(Basic\) SMTP login/,
      /mail-oauth-migrate fix.*Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled \$false/,
    ],
    [
      'smtp tenant off',
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled',
      /turned off for the whole tenant/,
      /Set-TransportConfig -SmtpClientAuthenticationDisabled \$false/,
    ],
    [
      'smtp 5.7.30',
      '550 5.7.30 Basic authentication is not supported for Client Submission.',
      /not supported for client submission/,
      /XOAUTH2/,
    ],
    [
      'smtp 5.7.3',
      '535 5.7.3 Authentication unsuccessful [SN4PR0201CA0045.namprd02.prod.outlook.com]',
      /wrong password and to a rejected OAuth token/,
      /New-ServicePrincipal/,
    ],
    [
      'smtp send as',
      '554 5.2.252 SendAsDenied; app@contoso.com not allowed to send as boss@contoso.com; STOREDRV',
      /app@contoso\.com may not send as boss@contoso\.com/,
      /Add-RecipientPermission -Identity boss@contoso\.com/,
    ],
    [
      'smtp hve',
      '550 5.5.105 external recipients are not allowed',
      /internal recipients only/,
      /Azure Communication Services/,
    ],
    ['imap login', 'A1 NO LOGIN failed.', /IMAP password \(LOGIN\) login/, /mail-oauth-migrate scan/],
    [
      'imap node-imap error',
      'Error: LOGIN failed.\n    at Connection._resTagged',
      /IMAP password \(LOGIN\) login/,
      /mail-oauth-migrate fix/,
    ],
    [
      'imap xoauth2',
      '2 NO AUTHENTICATE failed.',
      /rejected the XOAUTH2 login/,
      /IMAP\.AccessAsApp.*Add-MailboxPermission/,
    ],
    [
      'imap idle expiry',
      '* BYE Session invalidated - AccessTokenExpired',
      /token expired/,
      /reconnect long IDLE/,
    ],
    [
      'pop',
      '-ERR Authentication failure: unknown user name or bad password.',
      /POP3 refused the login/,
      /USER\/PASS.*POP\.AccessAsApp/,
    ],
    [
      'aadsts',
      'MSAL: invalid_client AADSTS7000215: Invalid client secret provided. Trace ID: 1 Correlation ID: 2',
      /^AADSTS7000215: Entra ID rejected the client secret/,
      /Secret ID/,
    ],
    [
      'aadsts device code',
      'device code flow: AADSTS7000218: The request body must contain client_assertion',
      /no client secret/,
      /Allow public client flows/,
    ],
    [
      'graph audience',
      'HTTP 401 {"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}',
      /audience is not Microsoft Graph/,
      /graph\.microsoft\.com\/\.default/,
    ],
    [
      'graph raop',
      '{"error":{"code":"ErrorAccessDenied","message":"Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."}}',
      /application access policy/,
      /Test-ApplicationAccessPolicy/,
    ],
    [
      'graph denied',
      '{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}',
      /no Mail\.Send/,
      /Grant admin consent/,
    ],
    [
      'network',
      'Error: connect ETIMEDOUT 52.96.1.1:587',
      /no answer from 52\.96\.1\.1:587/,
      /nc -vz 52\.96\.1\.1 587/,
    ],
    [
      'dns',
      'getaddrinfo ENOTFOUND smtp.office356.com',
      /smtp\.office356\.com does not resolve/,
      /smtp\.office365\.com:587/,
    ],
  ];
  for (const [name, text, detail, remedy] of cases) {
    it(name, () => {
      const x = explainText(text, NOW);
      assert.ok(x, 'recognised');
      assert.equal(x.explained, true);
      assert.match(x.detail, detail);
      assert.match(x.remedy, remedy);
    });
  }

  it('says so when an AADSTS code or Graph error has no entry (exit 1), and when nothing is recognised', () => {
    const aad = run(['AADSTS99999999: something new']);
    assert.equal(aad.code, 1);
    assert.match(aad.out, /no entry in the table[\s\S]*error\?code=99999999/);
    assert.equal(run(['{"error":{"code":"SomethingElse","message":"x"}}']).code, 1);
    const none = run(['hello world']);
    assert.equal(none.code, 1);
    assert.match(none.out, /Not recognised/);
    assert.equal(explainText('nothing here, NO problem at all'), undefined);
    assert.equal(explainText('I have 500 emails and 450 drafts'), undefined);
    assert.equal(explainText('Error: Invalid login: 535 Authentication failed')?.kind, 'smtp');
  });

  it('reads standard input, takes "-ERR" as text, prints JSON, and exits 2 on usage errors', () => {
    assert.equal(
      run([], '535 5.7.139 Authentication unsuccessful, basic authentication is disabled.').code,
      0,
    );
    assert.equal(run(['-ERR', 'Authentication', 'failure']).code, 0);
    const j = run(['--format', 'json', 'A1 NO LOGIN failed.']);
    const parsed = JSON.parse(j.out) as { recognised: boolean; kind: string };
    assert.deepEqual([parsed.recognised, parsed.kind], [true, 'imap']);
    assert.equal(run(['--format', 'xml', 'x']).code, 2);
    assert.equal(run([], '  ').code, 2);
  });
});

describe('explain: access tokens (decoded locally, never printed)', () => {
  it('explains an app-only token (IMAP role) without echoing it', () => {
    const token = jwt({
      aud: 'https://outlook.office365.com',
      tid: 't1',
      roles: ['IMAP.AccessAsApp'],
      exp,
      appid: 'c1',
    });
    const r = run([`Bearer ${token}`]);
    assert.equal(r.code, 0);
    assert.match(r.out, /access token/);
    assert.match(r.out, /audience https:\/\/outlook\.office365\.com/);
    assert.ok(
      !r.out.includes(token) && !r.out.includes(token.split('.')[1]),
      'the token is not printed back',
    );
    // IMAP.AccessAsApp is what the token is for: it checks out for IMAP
    assert.match(r.out, /looks right for IMAP/);
  });

  it('flags a Graph token used for SMTP, and an expired token', () => {
    const graph = explainText(jwt({ aud: 'https://graph.microsoft.com', roles: ['Mail.Send'], exp }), NOW);
    assert.match(graph?.detail ?? '', /Microsoft Graph token with Mail\.Send: SMTP, IMAP and POP refuse it/);
    const old = explainText(
      jwt({ aud: 'https://outlook.office365.com', roles: ['SMTP.SendAsApp'], exp: exp - 7200 }),
      NOW,
    );
    assert.match(old?.detail ?? '', /expired/);
    assert.match(old?.remedy ?? '', /fresh token/);
    const scope = explainText(
      jwt({ aud: 'https://outlook.office.com', scp: 'openid profile', upn: 'a@b.c', exp }),
      NOW,
    );
    assert.match(scope?.detail ?? '', /do not include SMTP\.Send/);
  });

  it('never prints a token that rides along in a reply', () => {
    const token = jwt({ aud: 'x' });
    const x = explainText(`535 5.7.3 Authentication unsuccessful user=${token}`, NOW);
    assert.ok(x && !JSON.stringify(x).includes(token.split('.')[1]));
  });

  it('runs from the bundled CLI (dist/cli.js explain)', function () {
    const cli = path.resolve(__dirname, '../../../dist/cli.js');
    const r = spawnSync(
      process.execPath,
      [cli, 'explain', '550 5.7.30 Basic authentication is not supported for Client Submission.'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Cause: .*client submission/);
  });
});
