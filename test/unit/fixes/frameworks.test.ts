/**
 * Framework configs hold nodemailer options, which the nodemailer rewrite fixes in place (NextAuth, NestJS and
 * Strapi are proven end to end in test/e2e/frameworks.e2e.test.ts); Payload, email-templates and the URL forms
 * here. Meteor's MAIL_URL stays manual with what to change (nodejs-nodemailer-outlook: nodemailer-outlook.test.ts).
 */
import * as assert from 'node:assert/strict';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fix-guard';
import { resultTexts } from '../../../src/core/fixes/apply';

const ROOT = '/virtual/framework-fixes';
const AUTH = 'auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS }';

function fix(file: string, code: string, env = 'SMTP_HOST=smtp.office365.com\nSMTP_USER=app@contoso.com\nSMTP_PASS=x\n') {
  const files = new Map([
    [`${ROOT}/package.json`, '{ "name": "app", "version": "1.0.0", "dependencies": { "payload": "^3.0.0" } }\n'],
    [`${ROOT}/.env`, env],
    [`${ROOT}/${file}`, code],
  ]);
  const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
  analyzer.env.add(`${ROOT}/.env`, env);
  analyzer.setSource(`${ROOT}/${file}`, code);
  const findings = analyzer.analyzeFile(`${ROOT}/${file}`);
  const plan = planFixes(findings, { readFile: (f) => files.get(f) });
  return { findings, plan, after: resultTexts(plan.edits, (f) => files.get(f)).get(`${ROOT}/${file}`)?.after };
}

describe('framework configs are fixed by the nodemailer rewrite', () => {
  it('Payload 3 nodemailerAdapter transportOptions', () => {
    const r = fix(
      'src/payload.config.ts',
      `import { buildConfig } from 'payload';\nimport { nodemailerAdapter } from '@payloadcms/email-nodemailer';\nexport default buildConfig({\n  email: nodemailerAdapter({\n    defaultFromAddress: 'app@contoso.com',\n    defaultFromName: 'App',\n    transportOptions: { host: process.env.SMTP_HOST, port: 587, ${AUTH} },\n  }),\n});\n`,
    );
    assert.equal(r.findings.length, 1);
    assert.ok(r.findings[0].fixable, r.findings[0].fix.manual);
    assert.deepEqual(r.plan.notFixed, []);
    assert.match(r.after!, /auth: \{ user: process\.env\.SMTP_USER, type: 'OAuth2', provisionCallback: nodemailerProvisionCallback \}/);
    assert.match(r.after!, /^import \{ nodemailerProvisionCallback \} from '\.\/mail-oauth-token';$/m);
  });

  it('email-templates transport given as a smtp:// URL', () => {
    const r = fix('mailer.mjs', "import Email from 'email-templates';\nexport const email = new Email({ transport: 'smtp://app%40contoso.com:pw@smtp.office365.com:587', views: { root: 'emails' } });\n");
    assert.equal(r.findings.length, 1);
    assert.deepEqual(r.plan.notFixed, []);
    assert.match(r.after!, /transport: \{ host: 'smtp\.office365\.com', port: 587, secure: false, auth: \{ type: 'OAuth2', user: 'app@contoso\.com', provisionCallback: nodemailerProvisionCallback \} \}/);
  });

  it('Meteor MAIL_URL stays manual, with what to change', () => {
    const r = fix('server/main.js', "process.env.MAIL_URL = 'smtp://app%40contoso.com:pw@smtp.office365.com:587';\n");
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].fixable, false);
    assert.equal(r.plan.edits.length, 0);
    assert.ok(r.plan.notFixed[0].reason.length > 20, r.plan.notFixed[0].reason);
  });
});
