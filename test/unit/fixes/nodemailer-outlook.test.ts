/**
 * nodejs-nodemailer-outlook throws without auth.pass, so its sendEmail() call is replaced by the provider's
 * sendOutlookEmail() (the same nodemailer send with OAuth2; proven against the bed in
 * test/e2e/frameworks.e2e.test.ts), the password leaves `auth`, the package's import goes when nothing else uses
 * it, and nodemailer becomes a dependency.
 */
import * as assert from 'node:assert/strict';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fix-guard';
import { resultTexts } from '../../../src/core/fixes/apply';

const ROOT = '/virtual/outlook-fixes';
const ENV = 'OUTLOOK_USER=app@contoso.com\nOUTLOOK_PASSWORD=x\n';
const PKG = '{ "name": "app", "version": "1.0.0", "dependencies": { "nodejs-nodemailer-outlook": "^1.2.4" } }\n';

function fix(file: string, code: string, opts: { pkg?: string; to?: 'graph' } = {}) {
  const files = new Map([
    [`${ROOT}/package.json`, opts.pkg ?? PKG],
    [`${ROOT}/.env`, ENV],
    [`${ROOT}/${file}`, code],
  ]);
  const analyze = (text: string) => {
    const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
    analyzer.env.add(`${ROOT}/.env`, ENV);
    analyzer.setSource(`${ROOT}/${file}`, text);
    return analyzer.analyzeFile(`${ROOT}/${file}`);
  };
  const findings = analyze(code);
  const plan = planFixes(findings, { readFile: (f) => files.get(f), to: opts.to });
  const texts = resultTexts(plan.edits, (f) => files.get(f));
  const after = texts.get(`${ROOT}/${file}`)?.after;
  return { findings, plan, after, texts, again: after === undefined ? [] : analyze(after) };
}

const SEND = `nodeoutlook.sendEmail({
  auth: { user: process.env.OUTLOOK_USER, pass: process.env.OUTLOOK_PASSWORD },
  from: 'app@contoso.com',
  to: 'someone@contoso.com',
  subject: 'Hello',
  onError: (e) => console.log(e),
  onSuccess: (i) => console.log(i),
});
`;

describe('nodejs-nodemailer-outlook: sendEmail() becomes sendOutlookEmail()', () => {
  it('CommonJS: the call is replaced, the password and the require go, nodemailer is added', () => {
    const r = fix('send.js', `'use strict';\nconst nodeoutlook = require('nodejs-nodemailer-outlook');\n\n${SEND}`);
    assert.equal(r.findings.length, 1);
    assert.ok(r.findings[0].fixable, r.findings[0].fix.manual);
    assert.deepEqual(r.plan.notFixed, []);
    assert.equal(
      r.after,
      `'use strict';\nconst { sendOutlookEmail } = require('./mail-oauth-token.js');\n${SEND.replace('nodeoutlook.sendEmail', 'sendOutlookEmail').replace(', pass: process.env.OUTLOOK_PASSWORD', '')}`,
    );
    const provider = r.texts.get(`${ROOT}/mail-oauth-token.js`)?.after ?? '';
    assert.match(provider, /^function sendOutlookEmail\(options\) \{$/m);
    assert.match(provider, /provisionCallback: nodemailerProvisionCallback/);
    assert.match(provider, /^module\.exports = \{[^}]*sendOutlookEmail/m);
    const pkg = JSON.parse(r.texts.get(`${ROOT}/package.json`)?.after ?? '{}') as { dependencies: Record<string, string> };
    assert.deepEqual(pkg.dependencies, { '@azure/msal-node': '^7.2.1', nodemailer: '^10.6.0', 'nodejs-nodemailer-outlook': '^1.2.4' });
    assert.deepEqual(r.plan.unusedEnvVars, ['OUTLOOK_PASSWORD']);
    assert.ok(r.plan.manualSteps.some((m) => /nodemailer is now a dependency .*npm install/.test(m)));
    assert.deepEqual(r.again, [], 'a re-scan is clean');
  });

  it('TypeScript named import: the import goes, sendOutlookEmail is imported from the provider', () => {
    const r = fix(
      'src/send.ts',
      "import { sendEmail } from 'nodejs-nodemailer-outlook';\n\nexport function notify(to: string): void {\n  sendEmail({ host: 'smtp.office365.com', auth: { user: 'app@contoso.com', pass: process.env.OUTLOOK_PASSWORD }, to, subject: 'Hi', text: 'hello' });\n}\n",
    );
    assert.deepEqual(r.plan.notFixed, []);
    assert.doesNotMatch(r.after!, /nodejs-nodemailer-outlook|sendEmail\(|pass:/);
    assert.match(r.after!, /^import \{ sendOutlookEmail \} from '\.\/mail-oauth-token';$/m);
    assert.match(r.after!, /sendOutlookEmail\(\{ host: 'smtp\.office365\.com', auth: \{ user: 'app@contoso\.com' \}, to,/);
    assert.match(r.texts.get(`${ROOT}/src/mail-oauth-token.ts`)?.after ?? '', /^export function sendOutlookEmail\(options: OutlookEmail\): void \{$/m);
  });

  it('keeps the import while another use of the package remains, and an existing nodemailer range', () => {
    const pkg = '{ "name": "app", "dependencies": { "nodemailer": "^6.9.0", "nodejs-nodemailer-outlook": "^1.2.4" } }\n';
    const gmail = "nodeoutlook.sendEmail({ host: 'smtp.gmail.com', auth: { user: 'me@gmail.com', pass: 'x' }, to: 'a@b.c' });\n";
    const r = fix('send.js', `const nodeoutlook = require('nodejs-nodemailer-outlook');\n${SEND}${gmail}`, { pkg });
    assert.equal(r.findings.length, 1);
    assert.deepEqual(r.plan.notFixed, []);
    assert.match(r.after!, /^const nodeoutlook = require\('nodejs-nodemailer-outlook'\);$/m);
    assert.match(r.after!, /^sendOutlookEmail\(\{$/m);
    assert.ok(r.after!.endsWith(gmail));
    const deps = (JSON.parse(r.texts.get(`${ROOT}/package.json`)?.after ?? '{}') as { dependencies: Record<string, string> }).dependencies;
    assert.equal(deps.nodemailer, '^6.9.0');
  });

  it('options kept in variables: the password goes where it is written', () => {
    const r = fix('send.js', `const nodeoutlook = require('nodejs-nodemailer-outlook');\nconst auth = { user: 'app@contoso.com', pass: process.env.OUTLOOK_PASSWORD };\nconst options = { auth, to: 'a@contoso.com' };\nnodeoutlook.sendEmail(options);\n`);
    assert.deepEqual(r.plan.notFixed, []);
    assert.match(r.after!, /^const auth = \{ user: 'app@contoso\.com' \};\nconst options = \{ auth, to: 'a@contoso\.com' \};\nsendOutlookEmail\(options\);$/m);
    assert.doesNotMatch(r.after!, /nodejs-nodemailer-outlook/);
  });

  it('--to graph: not offered, with the way to fix it', () => {
    const r = fix('send.js', `const nodeoutlook = require('nodejs-nodemailer-outlook');\n${SEND}`, { to: 'graph' });
    assert.equal(r.plan.edits.length, 0);
    assert.match(r.plan.notFixed[0].reason, /fix nodejs-nodemailer-outlook with --to xoauth2/);
  });
});
