/**
 * `fix --to graph`: send-only nodemailer transports become the generated Microsoft Graph transport; code that needs
 * SMTP (verify(), the pool's idle state, DKIM/LMTP options), mail readers and other libraries are refused with the
 * reason, and nothing of theirs is written.
 */
import * as assert from 'node:assert/strict';
import { planFile } from '../harness/fix-file';

const ROOT = '/virtual/graph-fix';

function fix(code: string, to: 'graph' | 'xoauth2' = 'graph', file = 'send.js') {
  const { findings, plan, after } = planFile(ROOT, file, code, to);
  return { findings, plan, code: after(file), provider: after('mail-oauth-token.js'), env: after('.env.example') };
}

const transport = (opts: string, rest = '') => `const nodemailer = require('nodemailer');
const transport = nodemailer.createTransport(${opts});
${rest}module.exports = transport;
`;

describe('fix --to graph (nodemailer → Microsoft Graph sendMail)', () => {
  it('options object → graphTransport({ host, user }); the provider gets the Graph transport', () => {
    const r = fix(transport(`{
  host: 'smtp.office365.com',
  port: 587,
  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS },
}`));
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    assert.match(r.code!, /nodemailer\.createTransport\(graphTransport\(\{ host: 'smtp\.office365\.com', user: process\.env\.SMTP_USER \}\)\);/);
    assert.match(r.code!, /^const \{ graphTransport \} = require\('\.\/mail-oauth-token\.js'\);$/m);
    assert.doesNotMatch(r.code!, /SMTP_PASS|port: 587/);
    assert.match(r.provider!, /^function graphTransport\(options = \{\}\) \{$/m);
    assert.doesNotMatch(r.provider!, /nodemailerProvisionCallback/);
    assert.match(r.env!, /^MAIL_OAUTH_GRAPH_ENDPOINT=$/m);
    assert.ok(r.plan.manualSteps.some((s) => /New-ManagementRoleAssignment -App <client id> -Role "Application Mail\.Send"/.test(s)));
    assert.ok(r.plan.manualSteps.every((s) => !/Connect-ExchangeOnline -Credential/.test(s)));
  });

  it('a connection URL → graphTransport with the host and user of the URL', () => {
    const r = fix(transport(`'smtps://alerts%40contoso.com:Winter2026!@smtp.office365.com'`));
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    assert.match(r.code!, /createTransport\(graphTransport\(\{ host: 'smtp\.office365\.com', user: 'alerts@contoso\.com' \}\)\)/);
    assert.doesNotMatch(r.code!, /Winter2026/);
  });

  for (const [use, why] of [
    ['transport.verify().then(() => console.log("ready"));\n', /verify\(\) checks the SMTP login \(line 3\)/],
    ['setInterval(() => transport.isIdle(), 1000);\n', /isIdle\(\) watches the SMTP connection pool/],
    ["transport.on('idle', () => {});\n", /'idle' event of transport/],
  ] as const) {
    it(`not offered, with the reason, when the transport is used for SMTP: ${use.trim()}`, () => {
      const r = fix(transport(`{ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'p' } }`, use));
      assert.equal(r.plan.fixed.length, 0);
      assert.match(r.plan.notFixed[0].reason, /^Microsoft Graph is not offered: /);
      assert.match(r.plan.notFixed[0].reason, why);
      assert.match(r.plan.notFixed[0].reason, /--to xoauth2/);
      assert.deepEqual(r.plan.edits, []);
      // the same code still gets the XOAUTH2 rewrite
      assert.equal(fix(transport(`{ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'p' } }`, use), 'xoauth2').plan.fixed.length, 1);
    });
  }

  it('nodemailer-smtp-transport: the wrapper call becomes the Graph transport', () => {
    const r = fix(`const nodemailer = require('nodemailer');
const smtpTransport = require('nodemailer-smtp-transport');
module.exports = nodemailer.createTransport(smtpTransport({ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: process.env.P } }));
`);
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    assert.match(r.code!, /nodemailer\.createTransport\(graphTransport\(\{ host: 'smtp\.office365\.com', user: 'a@contoso\.com' \}\)\);/);
  });

  it('not offered for DKIM signing by nodemailer', () => {
    const r = fix(transport(`{ host: 'smtp.office365.com', dkim: { domainName: 'contoso.com' }, auth: { user: 'a@contoso.com', pass: 'p' } }`));
    assert.match(r.plan.notFixed[0].reason, /DKIM/);
  });

  it('options built outside the call: refused (the password would stay behind)', () => {
    const r = fix(`const nodemailer = require('nodemailer');
const options = { host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'p' } };
module.exports = nodemailer.createTransport(options);
`);
    assert.match(r.plan.notFixed[0].reason, /built outside the createTransport\(\) call/);
    assert.deepEqual(r.plan.edits, []);
  });

  it('mail readers and other libraries: the reason names --to xoauth2', () => {
    const r = fix(`const { ImapFlow } = require('imapflow');
const { SMTPClient } = require('emailjs');
module.exports = [
  new ImapFlow({ host: 'outlook.office365.com', port: 993, secure: true, auth: { user: 'a@contoso.com', pass: 'p' } }),
  new SMTPClient({ host: 'smtp.office365.com', user: 'a@contoso.com', password: 'p', tls: true }),
];
`);
    const reasons = r.plan.notFixed.map((n) => n.reason).sort();
    assert.equal(reasons.length, 2);
    assert.match(reasons[0], /Microsoft Graph sendMail replaces sending only; this imapflow client reads mail over IMAP: fix it with --to xoauth2/);
    assert.match(reasons[1], /the Microsoft Graph rewrite is for nodemailer transports and ews-javascript-api sends; fix emailjs with --to xoauth2/);
  });
});
