/**
 * Shapes from the held-out corpus (test/fixtures/heldout, measured by `npm run bench:fix-rate`) whose fix broke
 * type checking or was missed: each is pinned here with the smallest code that shows it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fix-guard';
import { applyEdits, resultTexts } from '../../../src/core/fixes/apply';

const ROOT = '/virtual/heldout-shapes';

function fix(file: string, code: string, env = 'SMTP_HOST=smtp.office365.com\n', extra: Record<string, string> = {}) {
  const files = new Map<string, string>([
    [`${ROOT}/package.json`, '{ "name": "app", "version": "1.0.0" }\n'],
    [`${ROOT}/.env`, env],
    [`${ROOT}/${file}`, code],
    ...Object.entries(extra).map(([f, t]): [string, string] => [`${ROOT}/${f}`, t]),
  ]);
  const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
  analyzer.env.add(`${ROOT}/.env`, env);
  for (const [f, t] of files) {
    if (/\.([cm]?[jt]s|json)$/.test(f) && !f.endsWith('package.json')) {
      analyzer.setSource(f, t);
    }
  }
  const findings = analyzer.analyzeFile(`${ROOT}/${file}`);
  const plan = planFixes(findings, { readFile: (f) => files.get(f) });
  return { findings, plan, after: resultTexts(plan.edits, (f) => files.get(f)).get(`${ROOT}/${file}`)?.after };
}

describe('held-out shapes', () => {
  describe("nodemailer `type: 'OAuth2'` keeps its literal type in TypeScript", () => {
    it('options in an untyped const, passed later: written as const', () => {
      const r = fix(
        'src/mailer.service.ts',
        "import { createTransport } from 'nodemailer';\nexport class Mailer {\n  private t;\n  constructor() {\n    const transport = {\n      host: 'smtp.office365.com',\n      port: 587,\n      auth: { user: 'it@contoso.com', pass: process.env.EMAIL_PASS },\n    };\n    this.t = createTransport(transport);\n  }\n}\n",
      );
      assert.deepEqual(r.plan.notFixed, []);
      assert.match(r.after!, /auth: \{ user: 'it@contoso\.com', type: 'OAuth2' as const, provisionCallback: nodemailerProvisionCallback \}/);
    });

    it('options written in the call, or in a factory passed on: the plain literal', () => {
      const direct = fix('src/a.ts', "import nodemailer from 'nodemailer';\nexport const t = nodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'x' } });\n");
      assert.match(direct.after!, /type: 'OAuth2', provisionCallback/);
      const factory = fix(
        'src/mail.module.ts',
        "import { MailerModule } from '@nestjs-modules/mailer';\nexport const m = MailerModule.forRootAsync({ useFactory: () => ({ transport: { host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'x' } } }) });\n",
      );
      assert.deepEqual(factory.plan.notFixed, []);
      assert.match(factory.after!, /type: 'OAuth2', provisionCallback/);
    });

    it('JavaScript never gets the assertion', () => {
      const r = fix('mailer.js', "const nodemailer = require('nodemailer');\nconst opts = { host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'x' } };\nmodule.exports = nodemailer.createTransport(opts);\n");
      assert.deepEqual(r.plan.notFixed, []);
      assert.match(r.after!, /type: 'OAuth2', provisionCallback/);
    });
  });

  it('the provider require goes above a statement that uses it (JSON options required inline), not after it', () => {
    const r = fix(
      'alerts.js',
      "const nodemailer = require('nodemailer');\nconst mailConfig = require('./mail.config.json');\n\nconst transporter = nodemailer.createTransport(require('./mail.config.json').smtp);\nmodule.exports = { transporter, from: mailConfig.from };\n",
      '',
      { 'mail.config.json': '{ "smtp": { "host": "smtp.office365.com", "auth": { "user": "a@contoso.com", "pass": "pw" } }, "from": "a@contoso.com" }\n' },
    );
    assert.deepEqual(r.plan.notFixed, []);
    const lines = r.after!.split('\n');
    const imported = lines.findIndex((l) => l.startsWith('const { withNodemailerOAuth2 } = require('));
    const used = lines.findIndex((l) => l.includes('createTransport(withNodemailerOAuth2('));
    assert.ok(imported >= 0 && used > imported, r.after);
    assert.equal(imported, 2, 'right after the requires');
  });

  it('nodemailer 0.x createTransport("SMTP", options) stays manual, with the upgrade step', () => {
    const r = fix('abc.js', "var nodemailer = require('nodemailer');\nvar t = nodemailer.createTransport('SMTP', { host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'x' } });\n");
    assert.equal(r.findings.length, 1);
    assert.equal(r.plan.edits.length, 0);
    assert.match(r.plan.notFixed[0].reason, /nodemailer 0\.x API .*upgrade nodemailer/);
    // a URL string is not the 0.x transport name
    const url = fix('b.js', "var nodemailer = require('nodemailer');\nvar t = nodemailer.createTransport('smtp://a%40contoso.com:pw@smtp.office365.com:587');\n");
    assert.deepEqual(url.plan.notFixed, []);
  });

  it("a forced authMethod: 'PLAIN' (or auth.method) goes, or nodemailer would log in with PLAIN and no password", () => {
    const r = fix(
      'src/auth.ts',
      "import nodemailer from 'nodemailer';\nexport const t = nodemailer.createTransport({\n  host: 'smtp.office365.com',\n  auth: Object.freeze({ type: 'LOGIN' as const, user: 'a@contoso.com', pass: 'x' }),\n  authMethod: 'PLAIN',\n});\n",
    );
    assert.deepEqual(r.plan.notFixed, []);
    assert.doesNotMatch(r.after!, /authMethod|PLAIN/);
    assert.match(r.after!, /type: 'OAuth2', provisionCallback: nodemailerProvisionCallback, user: 'a@contoso\.com'/);
    const m = fix('m.js', "const nodemailer = require('nodemailer');\nmodule.exports = nodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: 'x', method: 'LOGIN' } });\n");
    assert.doesNotMatch(m.after!, /method/);
  });

  it("node-config: config.get('mail') is read from config/default.json; the fix wraps the call and removes the password there", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-config-'));
    const write = (f: string, t: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), t);
    };
    write('package.json', '{ "name": "app", "version": "1.0.0", "dependencies": { "config": "^3.3.12", "nodemailer": "^7.0.0" } }\n');
    write('config/default.json', '{ "mail": { "host": "smtp.office365.com", "port": 587, "auth": { "user": "a@contoso.com", "pass": "pw" } }, "other": { "host": "smtp.gmail.com", "auth": { "user": "b", "pass": "c" } } }\n');
    write('src/mailer.js', "const config = require('config');\nconst nodemailer = require('nodemailer');\nmodule.exports = nodemailer.createTransport(config.get('mail'));\nmodule.exports.gmail = nodemailer.createTransport(config.get('other'));\n");
    try {
      const scan = await new Analyzer(dir).scan();
      assert.deepEqual(scan.findings.map((f) => [path.relative(dir, f.span.file), f.host]), [['src/mailer.js', 'smtp.office365.com']]);
      const read = (f: string): string | undefined => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
      const plan = planFixes(scan.findings, { readFile: read });
      assert.deepEqual(plan.notFixed, []);
      assert.deepEqual(applyEdits(plan.edits).refused, []);
      assert.match(read(path.join(dir, 'src/mailer.js'))!, /createTransport\(withNodemailerOAuth2\(config\.get\('mail'\)\)\)/);
      const json = JSON.parse(read(path.join(dir, 'config/default.json'))!) as { mail: { auth: object }; other: { auth: object } };
      assert.deepEqual(json.mail.auth, { user: 'a@contoso.com' });
      assert.deepEqual(json.other.auth, { user: 'b', pass: 'c' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the provider's nodemailerProvisionCallback fits @types/nodemailer's provisionCallback (token and expiry not optional)", () => {
    // the declaration as @types/nodemailer 6.4 to 8.0 write it (lib/xoauth2/index.d.ts), checked against the template
    const template = path.resolve(__dirname, '../../../src/core/fixes/provider/template.ts');
    const check = path.join(path.dirname(template), '__provision-check.ts');
    const checkText = `import { nodemailerProvisionCallback } from './template';
interface XOAuth2Options { provisionCallback?(user: string, renew: boolean, callback: (err: Error | null, accessToken: string, expires: number) => void): void }
export const options: XOAuth2Options = { provisionCallback: nodemailerProvisionCallback };
`;
    const host = ts.createCompilerHost({ strict: true, noEmit: true, skipLibCheck: true });
    const read = host.readFile.bind(host);
    host.readFile = (f) => (f === check ? checkText : read(f));
    const exists = host.fileExists.bind(host);
    host.fileExists = (f) => f === check || exists(f);
    const getSource = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, ...rest) => (f === check ? ts.createSourceFile(f, checkText, lang) : getSource(f, lang, ...rest));
    const program = ts.createProgram([check], { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, types: ['node'] }, host);
    const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === check);
    assert.deepEqual(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });
});
