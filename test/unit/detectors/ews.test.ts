/**
 * EWS with a password against Exchange Online (ews-javascript-api, node-ews): reported with both dates and the way
 * out (Microsoft Graph); on-premises Exchange Server and token credentials are not findings.
 */
import * as assert from 'node:assert/strict';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fixes';

const ROOT = '/virtual/ews';

function scan(code: string, file = 'ews.js') {
  const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
  analyzer.setSource(`${ROOT}/${file}`, code);
  return analyzer.analyzeFile(`${ROOT}/${file}`);
}

const ewsApi = (url: string, creds = 'new WebCredentials(process.env.EWS_USER, process.env.EWS_PASSWORD)') => `const { ExchangeService, ExchangeVersion, WebCredentials, ExchangeCredentials, OAuthCredentials, Uri } = require('ews-javascript-api');
const EWS_URL = ${JSON.stringify(url)};
function connect() {
  const service = new ExchangeService(ExchangeVersion.Exchange2013);
  service.Credentials = ${creds};
  service.Url = new Uri(EWS_URL);
  return service;
}
module.exports = { connect };
`;

describe('EWS password logins', () => {
  it('ews-javascript-api: WebCredentials + an Exchange Online URL', () => {
    const [f, ...rest] = scan(ewsApi('https://outlook.office365.com/EWS/Exchange.asmx'));
    assert.equal(rest.length, 0);
    assert.equal(f.code, 'ews-javascript-api-password-auth');
    assert.equal(f.protocol, 'ews');
    assert.equal(f.host, 'outlook.office365.com');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /off since October 2022/);
    assert.match(f.message, /blocked in Exchange Online from 1 Oct 2026/);
    assert.match(f.message, /retired on 1 Apr 2027, so EWS with OAuth only lasts until 1 Apr 2027/);
    assert.match(f.message, /Microsoft Graph .*docs\/manual-ews\.md/);
    assert.equal(f.fixable, false);
    assert.equal(f.related[0].role, 'host');
  });

  it('ews-javascript-api: ExchangeCredentials too', () => {
    assert.equal(scan(ewsApi('https://outlook.office365.com/EWS/Exchange.asmx', "new ExchangeCredentials('a@contoso.com', 'pw')")).length, 1);
  });

  it('not reported: on-premises Exchange Server, OAuthCredentials, no URL', () => {
    assert.deepEqual(scan(ewsApi('https://mail.contoso.com/EWS/Exchange.asmx')), []);
    assert.deepEqual(scan(ewsApi('https://outlook.office365.com/EWS/Exchange.asmx', 'new OAuthCredentials(process.env.TOKEN)')), []);
    assert.deepEqual(scan(ewsApi('https://outlook.office365.com/EWS/Exchange.asmx').replace('  service.Url = new Uri(EWS_URL);\n', '')), []);
  });

  for (const auth of ['ntlm', 'basic']) {
    it(`node-ews with auth: '${auth}' and an Exchange Online host`, () => {
      const code = `import EWS from 'node-ews';\nexport const ews = new EWS({ username: 'a@contoso.com', password: process.env.EWS_PASSWORD, host: 'https://outlook.office365.com', auth: '${auth}' });\n`;
      const [f] = scan(code, 'ews.mjs');
      assert.equal(f?.code, 'node-ews-password-auth');
      assert.match(f.message, /node-ews logs in to Exchange Web Services on outlook\.office365\.com with a password/);
    });
  }

  it('node-ews: on-premises host and bearer tokens are not findings', () => {
    assert.deepEqual(scan("const EWS = require('node-ews');\nnew EWS({ username: 'a', password: 'b', host: 'https://exchange.contoso.local' });\n"), []);
    assert.deepEqual(scan("const EWS = require('node-ews');\nnew EWS({ token: process.env.TOKEN, host: 'https://outlook.office365.com', auth: 'bearer' });\n"), []);
  });

  it('a service handed to other code (returned here) is left to the manual guide, with the statement', () => {
    const code = ewsApi('https://outlook.office365.com/EWS/Exchange.asmx');
    const findings = scan(code);
    assert.equal(findings[0].fixable, false);
    const plan = planFixes(findings, { readFile: (f) => (f.endsWith('ews.js') ? code : undefined) });
    assert.deepEqual(plan.edits, []);
    assert.match(plan.notFixed[0].reason, /the ExchangeService service is used for more than sending: `return service;` \(line 7\)/);
    assert.match(plan.notFixed[0].reason, /docs\/manual-ews\.md/);
  });
});
