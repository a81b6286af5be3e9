/**
 * Credentials kept in a JSON file: the password leaves the file (which stays valid JSON) and the code is changed
 * where it uses the options — never the false "the file changed since it was scanned".
 */
import * as assert from 'node:assert/strict';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fixes';
import { resultTexts } from '../../../src/core/fixes/apply';

const ROOT = '/virtual/json-config';
const JSON_TEXT = `{
  "smtp": {
    "host": "smtp.office365.com",
    "port": 587,
    "auth": { "user": "alerts@contoso.com", "pass": "Winter2026!" }
  },
  "emailjs": {
    "user": "app@contoso.com",
    "password": "S3cret",
    "host": "smtp.office365.com",
    "tls": true
  },
  "url": { "smtp": "smtps://alerts%40contoso.com:Winter2026!@smtp.office365.com" }
}
`;

function fix(code: string) {
  const files = new Map([
    [`${ROOT}/package.json`, '{ "name": "x", "version": "1.0.0" }\n'],
    [`${ROOT}/mail.config.json`, JSON_TEXT],
    [`${ROOT}/send.js`, code],
  ]);
  const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
  analyzer.setSource(`${ROOT}/mail.config.json`, JSON_TEXT);
  analyzer.setSource(`${ROOT}/send.js`, code);
  const findings = analyzer.analyzeFile(`${ROOT}/send.js`);
  const plan = planFixes(findings, { readFile: (f) => files.get(f) });
  const out = resultTexts(plan.edits, (f) => files.get(f));
  return { findings, plan, send: out.get(`${ROOT}/send.js`)?.after, json: out.get(`${ROOT}/mail.config.json`)?.after };
}

describe('fixing credentials kept in a JSON file', () => {
  it('nodemailer and emailjs: the passwords leave the JSON, the call sites get OAuth2', () => {
    const r = fix(`const nodemailer = require('nodemailer');
const { SMTPClient } = require('emailjs');
const transport = nodemailer.createTransport(require('./mail.config.json').smtp);
const client = new SMTPClient(require('./mail.config.json').emailjs);
module.exports = { transport, client };
`);
    assert.equal(r.findings.length, 2);
    assert.deepEqual(r.plan.notFixed.map((n) => n.reason), []);
    const json = JSON.parse(r.json!) as { smtp: { auth: object }; emailjs: object };
    assert.deepEqual(json.smtp.auth, { user: 'alerts@contoso.com' });
    assert.deepEqual(json.emailjs, { user: 'app@contoso.com', authentication: ['XOAUTH2'], host: 'smtp.office365.com', tls: true });
    assert.match(r.send!, /createTransport\(withNodemailerOAuth2\(require\('\.\/mail\.config\.json'\)\.smtp\)\)/);
    assert.match(r.send!, /withEmailjsOAuth2\(new SMTPClient\(require\('\.\/mail\.config\.json'\)\.emailjs\), 'smtp\.office365\.com'\)/);
    assert.match(r.send!, /^const \{ withEmailjsOAuth2, withNodemailerOAuth2 \} = require\('\.\/mail-oauth-token\.js'\);$/m);
  });

  it('a connection URL in JSON: exact manual steps, nothing written', () => {
    const r = fix(`const nodemailer = require('nodemailer');
module.exports = nodemailer.createTransport(require('./mail.config.json').url.smtp);
`);
    assert.equal(r.findings.length, 1);
    assert.match(r.plan.notFixed[0]?.reason ?? '', /connection URL is kept in .*mail\.config\.json: replace it there/);
    assert.deepEqual(r.plan.edits, []);
  });
});
