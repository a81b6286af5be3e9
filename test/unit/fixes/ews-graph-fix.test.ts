/**
 * ews-javascript-api send code → Microsoft Graph sendMail (ews-send.ts + ews.fix.ts): the send path is rewritten
 * statement by statement (under `--to graph` and the default target alike), the password and the EWS URL go, unused
 * EWS imports go; anything else done with the service or the message is refused with the statement and its line.
 */
import * as assert from 'node:assert/strict';
import { planFile } from '../harness/fix-file';

const ROOT = '/virtual/ews-fix';

function fix(code: string, to: 'graph' | 'xoauth2' = 'graph', file = 'send.js') {
  const { findings, plan, after } = planFile(ROOT, file, code, to);
  return { findings, plan, code: after(file), provider: after(`mail-oauth-token${file.endsWith('.ts') ? '.ts' : '.js'}`) };
}

const SEND = `const { ExchangeService, ExchangeVersion, WebCredentials, Uri, EmailMessage, MessageBody, BodyType, EmailAddress, WellKnownFolderName } = require('ews-javascript-api');

const service = new ExchangeService(ExchangeVersion.Exchange2013);
service.Credentials = new WebCredentials(process.env.EWS_USER, process.env.EWS_PASSWORD);
service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');

async function sendReport(to, cc, subject, html, pdf) {
  const message = new EmailMessage(service);
  message.Subject = subject;
  message.Body = new MessageBody(BodyType.HTML, html);
  message.ToRecipients.Add(to);
  for (const c of cc) {
    message.CcRecipients.Add(new EmailAddress('Ops', c));
  }
  message.Attachments.AddFileAttachment('report.pdf', pdf);
  await message.SendAndSaveCopy(WellKnownFolderName.SentItems);
}

module.exports = { sendReport };
`;

describe('EWS send code → Microsoft Graph sendMail', () => {
  it('rewrites the send path statement by statement; the password, the EWS URL and the EWS import go', () => {
    const r = fix(SEND);
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].fixable, true, r.findings[0].fix.manual);
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    assert.equal(
      r.code,
      `const { graphMailbox, graphMessage } = require('./mail-oauth-token.js');

const service = graphMailbox({ user: process.env.EWS_USER, host: 'outlook.office365.com' });

async function sendReport(to, cc, subject, html, pdf) {
  const message = graphMessage(service);
  message.subject = subject;
  message.body = { contentType: 'HTML', content: html };
  message.toRecipients.push(to);
  for (const c of cc) {
    message.ccRecipients.push({ name: 'Ops', address: c });
  }
  message.attachments.push({ name: 'report.pdf', contentBytes: pdf });
  await message.send();
}

module.exports = { sendReport };
`,
    );
    assert.match(r.provider!, /^function graphMailbox\(options = \{\}\) \{$/m);
    assert.match(r.provider!, /^async function callGraph\(/m);
    assert.doesNotMatch(r.provider!, /graphTransport/);
    assert.deepEqual(r.plan.unusedEnvVars, ['EWS_PASSWORD']);
    assert.ok(r.plan.manualSteps.some((s) => /ews-javascript-api is no longer imported by send\.js/.test(s)));
    assert.ok(r.plan.manualSteps.some((s) => /-Role "Application Mail\.Send"/.test(s)));
  });

  it('the default target (xoauth2) moves EWS to Graph too: there is no XOAUTH2 for EWS', () => {
    const r = fix(SEND, 'xoauth2');
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    assert.match(r.code!, /graphMailbox\(\{ user: process\.env\.EWS_USER/);
  });

  it('Send() does not keep a copy; impersonation names the mailbox; credentials set apart become service.user', () => {
    const r = fix(`import { ExchangeService, ExchangeVersion, WebCredentials, Uri, EmailMessage, MessageBody, ImpersonatedUserId, ConnectingIdType } from 'ews-javascript-api';
export async function notify(user, pass, text) {
  const service = new ExchangeService(ExchangeVersion.Exchange2016);
  service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');
  const who = user.trim();
  service.Credentials = new WebCredentials(who, pass);
  const m = new EmailMessage(service);
  m.Subject = 'note';
  m.Body = new MessageBody(text);
  m.ToRecipients.AddRange(['a@contoso.com', 'b@contoso.com']);
  return m.Send();
}
`, 'graph', 'send.mjs');
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    assert.match(r.code!, /^import \{ graphMailbox, graphMessage \} from '\.\/mail-oauth-token\.js';$/m);
    assert.doesNotMatch(r.code!, /ews-javascript-api|pass\)|Uri/);
    assert.match(r.code!, /const service = graphMailbox\(\{ host: 'outlook\.office365\.com' \}\);\n {2}const who = user\.trim\(\);\n {2}service\.user = who;\n/);
    assert.match(r.code!, /m\.body = \{ contentType: 'HTML', content: text \};/);
    assert.match(r.code!, /m\.toRecipients\.push\(\.\.\.\['a@contoso\.com', 'b@contoso\.com'\]\);/);
    assert.match(r.code!, /return m\.send\(\{ saveToSentItems: false \}\);/);

    const imp = fix(SEND.replace("service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');", "service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');\nservice.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, 'noreply@contoso.com');").replace('WellKnownFolderName }', 'WellKnownFolderName, ImpersonatedUserId, ConnectingIdType }'));
    assert.deepEqual(imp.plan.notFixed.map((n) => n.reason), []);
    assert.match(imp.code!, /^const service = graphMailbox\(\{ host: 'outlook\.office365\.com' \}\);\nservice\.user = 'noreply@contoso\.com';\n/m);
  });

  it('TypeScript: the type annotations of the EWS objects go with them', () => {
    const r = fix(`import { ExchangeService, ExchangeVersion, WebCredentials, Uri, EmailMessage, MessageBody, BodyType } from 'ews-javascript-api';
const service: ExchangeService = new ExchangeService(ExchangeVersion.Exchange2013);
service.Credentials = new WebCredentials(process.env.EWS_USER!, process.env.EWS_PASSWORD!);
service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');
export async function send(to: string): Promise<void> {
  const message: EmailMessage = new EmailMessage(service);
  message.Body = new MessageBody(BodyType.Text, 'hi');
  message.ToRecipients.Add(to);
  await message.SendAndSaveCopy();
}
`, 'graph', 'send.ts');
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    assert.match(r.code!, /^const service = graphMailbox\(\{ user: process\.env\.EWS_USER!, host: 'outlook\.office365\.com' \}\);$/m);
    assert.match(r.code!, /const message = graphMessage\(service\);/);
    assert.match(r.code!, /contentType: 'Text'/);
    assert.match(r.provider!, /export function graphMessage\(mailbox: GraphMailbox\)/);
  });

  for (const [label, change, why] of [
    ['the service also reads mail', 'module.exports = { sendReport };', /the ExchangeService service is used for more than sending: `service\.FindItems\(WellKnownFolderName\.Inbox, null\);` \(line 20\); the automatic rewrite covers the send path only/],
    ['an inline attachment', "message.Attachments.AddFileAttachment('report.pdf', pdf);", /message\.Attachments has no Graph translation here: `const a = message\.Attachments\.AddFileAttachment/],
    ['the message is passed on', 'await message.SendAndSaveCopy(WellKnownFolderName.SentItems);', /the EmailMessage message is passed on: `log\(message\);` \(line 16\)/],
    ['a copy kept in Drafts', 'await message.SendAndSaveCopy(WellKnownFolderName.SentItems);', /a copy saved to another folder than Sent Items/],
  ] as const) {
    it(`not fixed, with the statement and the guide: ${label}`, () => {
      const replacement: Record<string, string> = {
        'the service also reads mail': 'module.exports = { sendReport };\nservice.FindItems(WellKnownFolderName.Inbox, null);',
        'an inline attachment': "const a = message.Attachments.AddFileAttachment('logo.png', pdf);\n  a.IsInline = true;",
        'the message is passed on': 'log(message);\n  await message.SendAndSaveCopy(WellKnownFolderName.SentItems);',
        'a copy kept in Drafts': 'await message.SendAndSaveCopy(WellKnownFolderName.Drafts);',
      };
      const r = fix(SEND.replace(change, replacement[label]));
      assert.equal(r.findings.length, 1);
      assert.equal(r.findings[0].fixable, false);
      assert.match(r.findings[0].fix.manual!, why);
      assert.match(r.findings[0].fix.manual!, /docs\/manual-ews\.md/);
      assert.equal(r.plan.fixed.length, 0);
      assert.match(r.plan.notFixed[0].reason, why);
      assert.deepEqual(r.plan.edits, []);
    });
  }

  it('a service exported to other modules is not rewritten', () => {
    const r = fix(SEND.replace('module.exports = { sendReport };', 'module.exports = { sendReport, service };'));
    assert.match(r.plan.notFixed[0].reason, /used for more than sending: `module\.exports = \{ sendReport, service \};` \(line 19\)/);
  });
});
