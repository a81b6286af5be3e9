/**
 * Framework configs, fixed and run through the framework's own code (its package installed in the fixture):
 * NextAuth's email sign-in (EmailProvider with a smtp:// URL in .env), a NestJS app's MailerModule.forRoot with
 * MailerService.sendMail, Strapi's nodemailer email provider initialised from config/plugins.js, and
 * nodejs-nodemailer-outlook's sendEmail() (replaced by the provider's sendOutlookEmail(), run with the nodemailer the
 * package brings). Each sends twice through the bed, the second time after its first token expired.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoSecrets, delivered, fixed, REPO, run, startLabOrSkip, stopLab, tokensIssued, type Lab } from './helpers';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e-frameworks');
const TTL_SECONDS = 3;
const PAUSE_MS = String(TTL_SECONDS * 1000 + 1500);

describe('fixed framework configs send through the framework (e2e)', function () {
  this.timeout(600_000);
  let lab: Lab;

  before(async function () {
    lab = await startLabOrSkip(this, 'e2e framework tests');
    await lab.setFaults({ tokenTtlSeconds: TTL_SECONDS });
  });

  after(stopLab);

  it('NextAuth EmailProvider: server URL from .env → nodemailerUrlOAuth2(), verification mail sent twice', async () => {
    const dir = await fixed(FIXTURES, 'next-auth');
    assert.match(fs.readFileSync(path.join(dir, 'lib/auth.ts'), 'utf8'), /server: nodemailerUrlOAuth2\(process\.env\.EMAIL_SERVER\)/);
    const token = `na${Date.now()}`;
    const before = tokensIssued();
    const r = run(dir, 'send.ts', [token], { PAUSE_MS, EMAIL_SERVER: `smtp://shared%40lab.test:ignored@127.0.0.1:${lab.ports.smtp}`, EMAIL_FROM: 'shared@lab.test' });
    assert.equal(r.code, 0, r.out + r.err);
    assert.ok(delivered(`${token}-1`) && delivered(`${token}-2`), 'both sign-in links delivered');
    assert.ok(tokensIssued() - before >= 2);
    assertNoSecrets(r.out, r.err);
  });

  it('NestJS MailerModule.forRoot: MailerService.sendMail with OAuth2, twice', async () => {
    const dir = await fixed(FIXTURES, 'nestjs');
    assert.match(fs.readFileSync(path.join(dir, 'src/mail/mail.module.ts'), 'utf8'), /type: 'OAuth2',\n\s+provisionCallback: nodemailerProvisionCallback/);
    const subject = `nest${Date.now()}`;
    const r = run(dir, 'src/send.ts', [subject], { PAUSE_MS, MAIL_HOST: '127.0.0.1', MAIL_PORT: String(lab.ports.smtp), MAIL_USER: 'shared@lab.test' });
    assert.equal(r.code, 0, r.out + r.err);
    assert.ok(delivered(`${subject}-1`) && delivered(`${subject}-2`));
    assertNoSecrets(r.out, r.err);
  });

  it("Strapi email plugin: the nodemailer provider initialised from config/plugins.js sends with OAuth2, twice", async () => {
    const dir = await fixed(FIXTURES, 'strapi');
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'config/plugins.js'), 'utf8'), /SMTP_PASSWORD/);
    const subject = `strapi${Date.now()}`;
    const r = run(dir, 'send.js', [subject], { PAUSE_MS, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(lab.ports.smtp), SMTP_USERNAME: 'shared@lab.test' });
    assert.equal(r.code, 0, r.out + r.err);
    assert.ok(delivered(`${subject}-1`) && delivered(`${subject}-2`));
    assertNoSecrets(r.out, r.err);
  });

  it('nodejs-nodemailer-outlook: sendEmail() becomes sendOutlookEmail(), nodemailer with OAuth2, twice', async () => {
    const dir = await fixed(FIXTURES, 'nodejs-nodemailer-outlook');
    const src = fs.readFileSync(path.join(dir, 'send.js'), 'utf8');
    assert.doesNotMatch(src, /nodejs-nodemailer-outlook'|sendEmail|SMTP_PASSWORD/);
    assert.match(src, /^const \{ sendOutlookEmail \} = require\('\.\/mail-oauth-token\.js'\);$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(pkg.dependencies.nodemailer, '^10.6.0');
    const subject = `outlook${Date.now()}`;
    const before = tokensIssued();
    const r = run(dir, 'send.js', [subject], { PAUSE_MS, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(lab.ports.smtp), SMTP_USER: 'shared@lab.test' });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /sent #2: 250/);
    assert.ok(delivered(`${subject}-1`) && delivered(`${subject}-2`));
    assert.ok(tokensIssued() - before >= 2, 'a new token after the first expired');
    assertNoSecrets(r.out, r.err);
  });
});
