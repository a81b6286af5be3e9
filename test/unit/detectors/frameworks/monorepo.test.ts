/**
 * The multi-package fixture (test/fixtures/monorepo: web/ NextAuth, api/ NestJS, cms/ Strapi, each with its
 * own package.json and .env) scanned end to end: walk, pre-filter, analysis. Only the three framework
 * configs that log in to Exchange Online are findings; each reads its own package's .env.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Analyzer } from '../../../../src/core/analyzer';
import { FIXED_NOW } from '../../harness/detector-tester';

const ROOT = path.resolve(__dirname, '../../../../test/fixtures/monorepo');

describe('monorepo of framework apps (test/fixtures/monorepo)', () => {
  it('finds the NextAuth, NestJS and Strapi logins, each with its package .env', async () => {
    const r = await new Analyzer(ROOT, { now: () => FIXED_NOW }).scan();
    const rel = (f: string): string => path.relative(ROOT, f).split(path.sep).join('/');
    assert.deepEqual(
      r.findings.map((f) => `${rel(f.span.file)}:${f.span.line} ${f.code} ${f.host} ${f.fix.framework}`),
      [
        'api/src/mail/mail.module.ts:8 nodemailer-password-auth smtp.office365.com @nestjs-modules/mailer',
        'cms/config/plugins.js:8 nodemailer-password-auth smtp.office365.com Strapi email plugin',
        'web/pages/api/auth/[...nextauth].ts:7 nodemailer-password-auth smtp.office365.com NextAuth EmailProvider',
      ],
    );
    const related = r.findings.map((f) => f.related.map((x) => `${rel(x.file)}:${x.line}`));
    assert.ok(related[0].includes('api/.env:2') && related[0].includes('api/.env:5'), related[0].join(' '));
    assert.ok(related[1].includes('cms/.env:3') && related[1].includes('cms/.env:6'), related[1].join(' '));
    assert.ok(related[2].includes('web/.env.local:2'), related[2].join(' '));
    for (const f of r.findings) {
      // NextAuth, NestJS and Strapi configs hold nodemailer options: the nodemailer fix rewrites them
      assert.equal(f.fixable, true, f.fix.manual);
      assert.ok(f.fix.passwordSpan, 'the password location for the fix');
      assert.doesNotMatch(JSON.stringify(f), /not-a-real-password/);
    }
    // the pre-filter reads the framework files, not Strapi's server config or unrelated sources
    assert.equal(r.stats.files, 10);
    assert.equal(r.stats.parsed, 8);
  });
});
