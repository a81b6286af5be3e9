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

  it('two services of the same name in two functions are two services (on-premises one with a password: quiet)', () => {
    const code = `const { ExchangeService, WebCredentials, OAuthCredentials, Uri } = require('ews-javascript-api');
function onPremises() {
  const service = new ExchangeService();
  service.Credentials = new WebCredentials('u', process.env.P);
  service.Url = new Uri('https://mail.contoso.com/EWS/Exchange.asmx');
}
function online(token) {
  const service = new ExchangeService();
  service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');
  service.Credentials = new OAuthCredentials(token);
}
module.exports = { onPremises, online };
`;
    assert.deepEqual(scan(code), []);
    assert.equal(scan(code.replace("new OAuthCredentials(token)", "new WebCredentials('u', process.env.P)")).length, 1);
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

describe('EWS: the service set up across modules', () => {
  const ON_LINE = 'https://outlook.office365.com/EWS/Exchange.asmx';

  function scanAll(files: Record<string, string>) {
    const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
    for (const [f, code] of Object.entries(files)) {
      analyzer.setSource(`${ROOT}/${f}`, code);
    }
    return Object.keys(files).flatMap((f) => analyzer.analyzeFile(`${ROOT}/${f}`));
  }

  const created = (url: string, ext = 'ts') => ({
    [`config.${ext}`]: `export const config = { ews: { url: ${JSON.stringify(url)} } };\n`,
    [`ews-service.${ext}`]: `import { ExchangeService, ExchangeVersion, Uri } from 'ews-javascript-api';
import { config } from './config';
export const service = new ExchangeService(ExchangeVersion.Exchange2013);
service.Url = new Uri(config.ews.url);
`,
    [`mailer.${ext}`]: `import { WebCredentials } from 'ews-javascript-api';
import { service as ews } from './ews-service';
export function login(user: string) {
  ews.Credentials = new WebCredentials(user, process.env.EWS_PASSWORD!);
}
`,
  });

  it('Url set (from a config module) where the service is created, credentials in the importer: one finding there', () => {
    const found = scanAll(created(ON_LINE));
    assert.equal(found.length, 1);
    const [f] = found;
    assert.equal(f.code, 'ews-javascript-api-password-auth');
    assert.equal(f.span.file, `${ROOT}/mailer.ts`);
    assert.equal(f.host, 'outlook.office365.com');
    assert.equal(f.related.find((r) => r.role === 'host')?.file, `${ROOT}/ews-service.ts`);
    assert.equal(f.fixable, false);
    assert.match(f.fix.manual!, /set up in two files \(credentials in mailer\.ts, Url in ews-service\.ts\)/);
  });

  it('credentials where the service is created, Url set in the importer (CommonJS): one finding at the Url', () => {
    const files = {
      'ews-service.js': `const { ExchangeService, ExchangeVersion, WebCredentials } = require('ews-javascript-api');
const service = new ExchangeService(ExchangeVersion.Exchange2016);
service.Credentials = new WebCredentials(process.env.EWS_USER, process.env.EWS_PASSWORD);
module.exports = { service };
`,
      'app.mjs': `import { Uri } from 'ews-javascript-api';
import { service } from './ews-service.js';
service.Url = new Uri(${JSON.stringify(ON_LINE)});
`,
    };
    const found = scanAll(files);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.span.file)));
    assert.equal(found[0].span.file, `${ROOT}/app.mjs`);
    assert.equal(found[0].related[0].file, `${ROOT}/ews-service.js`);
    assert.deepEqual(found[0].fix.passwordEnvVars, ['EWS_PASSWORD']);
    const plan = planFixes(found, { readFile: (f) => files[f.slice(ROOT.length + 1) as keyof typeof files] });
    assert.deepEqual(plan.edits, []);
    assert.match(plan.notFixed[0].reason, /set up in two files \(credentials in ews-service\.js, Url in app\.mjs\)/);
  });

  it('not findings: the same modules with an on-premises Url, or token credentials', () => {
    assert.deepEqual(scanAll(created('https://mail.contoso.com/EWS/Exchange.asmx')), []);
    const token = created(ON_LINE);
    token['mailer.ts'] = token['mailer.ts'].replace('new WebCredentials(user, process.env.EWS_PASSWORD!)', 'new OAuthCredentials(process.env.TOKEN!)').replace('{ WebCredentials }', '{ OAuthCredentials }');
    assert.deepEqual(scanAll(token), []);
    assert.deepEqual(
      scanAll({
        'ews-service.js': "const { ExchangeService, WebCredentials } = require('ews-javascript-api');\nconst service = new ExchangeService();\nservice.Credentials = new WebCredentials('a', process.env.P);\nmodule.exports = { service };\n",
        'app.mjs': "import { Uri } from 'ews-javascript-api';\nimport { service } from './ews-service.js';\nservice.Url = new Uri('https://exchange.contoso.local/EWS/Exchange.asmx');\n",
      }),
      [],
    );
  });
});
