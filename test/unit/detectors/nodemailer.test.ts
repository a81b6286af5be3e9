import { run } from '../harness/detector-tester';

const AUTH = "auth: { user: 'app@contoso.com', pass: 'hunter2' }";

run('nodemailer-password-auth', {
  valid: [
    // not Microsoft
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.gmail.com', ${AUTH} });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ service: 'gmail', ${AUTH} });`,
    `const nodemailer = require('nodemailer');\nnodemailer.createTransport('smtps://u:p@smtp.gmail.com');`,
    // already OAuth2
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { type: 'OAuth2', user: 'a@b.c', accessToken: 't' } });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { type: 'oauth2', user: 'a@b.c' } });`,
    `import nodemailer from 'nodemailer';\nconst t = 'OAuth2';\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { type: t, user: 'a@b.c', pass: 'x' } });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@b.c', accessToken: process.env.TOKEN } });`,
    // no credentials (direct send / anonymous relay)
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'contoso-com.mail.protection.outlook.com', port: 25 });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'contoso-com.mail.protection.outlook.com', ${AUTH} });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', port: 587 });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport('smtp://smtp.office365.com:587');`,
    // HVE keeps Basic auth until 2028
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp-hve.office365.com', ${AUTH} });`,
    // a local function called createTransport
    `function createTransport(o: unknown) { return o; }\ncreateTransport({ host: 'smtp.office365.com', ${AUTH} });`,
    `const mailer = { createTransport: (o: unknown) => o };\nmailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });`,
    // shadowed binding
    `import { createTransport } from 'nodemailer';\nfunction f(createTransport: (o: unknown) => void) { createTransport({ host: 'smtp.office365.com', ${AUTH} }); }`,
    // commented out, plain strings
    `// nodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} })\nexport {};`,
    `const s = "require('nodemailer').createTransport({ host: 'smtp.office365.com', ${AUTH} })";`,
    `/* import nodemailer from 'nodemailer'; nodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} }) */`,
    // another package's createTransport
    `import { createTransport } from 'winston-mail';\ncreateTransport({ host: 'smtp.office365.com', ${AUTH} });`,
    // well-known service overrides host
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ service: 'Gmail', host: 'smtp.office365.com', ${AUTH} });`,
    // host from env that resolves elsewhere
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: process.env.SMTP_HOST, ${AUTH} });`, env: { '.env': 'SMTP_HOST=smtp.sendgrid.net\n' } },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: process.env.SMTP_HOST ?? 'smtp.office365.com', ${AUTH} });`, env: { '.env': 'SMTP_HOST=mail.example.org\n' } },
    // unresolved host is not an error finding by default
    `import nodemailer from 'nodemailer';\nexport function make(host: string) { return nodemailer.createTransport({ host, ${AUTH} }); }`,
    // suppression comment
    `import nodemailer from 'nodemailer';\n// mail-oauth-ignore: relay is migrated separately\nnodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} }); // mail-oauth-ignore`,
    // reassigned let: value not guessed
    `import nodemailer from 'nodemailer';\nlet host = 'smtp.office365.com';\nhost = 'smtp.gmail.com';\nnodemailer.createTransport({ host, ${AUTH} });`,
    // other nodemailer API
    `import nodemailer from 'nodemailer';\nnodemailer.createTestAccount();`,
  ],
  invalid: [
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', port: 587, ${AUTH} });`, errors: [{ host: 'smtp.office365.com', line: 2, severity: 'warning' }] },
    { code: `import * as nm from 'nodemailer';\nnm.createTransport({ host: 'smtp.office365.com', ${AUTH} });`, errors: [{ host: 'smtp.office365.com' }] },
    { code: `import { createTransport as ct } from 'nodemailer';\nct({ host: 'SMTP.Office365.com.', ${AUTH} });`, errors: [{ host: 'smtp.office365.com' }] },
    { code: `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });`, filename: 'app.js', errors: [{}] },
    { code: `const { createTransport } = require('nodemailer');\ncreateTransport({ host: 'smtp.office365.com', ${AUTH} });`, filename: 'app.js', errors: [{}] },
    { code: `require('nodemailer').createTransport({ host: 'smtp.office365.com', ${AUTH} });`, filename: 'app.cjs', errors: [{}] },
    { code: `export async function f() {\n  const nodemailer = await import('nodemailer');\n  return nodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });\n}`, errors: [{ line: 3 }] },
    { code: `export async function f() {\n  const { createTransport } = await import('nodemailer');\n  return createTransport({ host: 'smtp.office365.com', ${AUTH} });\n}`, errors: [{}] },
    { code: `import nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.default.createTransport({ host: 'smtp.office365.com', ${AUTH} });`, name: 'namespace .default access', errors: [{}] },
    // URL forms
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport('smtps://user%40contoso.com:hunter2@smtp.office365.com:465');`, errors: [{ host: 'smtp.office365.com' }] },
    { code: "import nodemailer from 'nodemailer';\nnodemailer.createTransport(`smtp://u:${process.env.P}@smtp.office365.com:587`);", errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ url: 'smtp://u:p@smtp.office365.com:587', pool: true });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport(process.env.SMTP_URL!);`, env: { '.env': 'SMTP_URL=smtp://u:pw@smtp.office365.com:587\n' }, errors: [{ related: ['SMTP_URL'] }] },
    // well-known services
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ service: 'Outlook365', ${AUTH} });`, errors: [{ host: 'smtp.office365.com' }] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ service: 'Outlook 365', ${AUTH} });`, name: 'service key normalisation strips spaces', errors: [{ host: 'smtp.office365.com' }] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ service: 'hotmail', ${AUTH} });`, errors: [{ host: 'smtp-mail.outlook.com', severity: 'error' }] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ service: 'someone@outlook.com', ${AUTH} });`, name: 'service given as an e-mail address', errors: [{ host: 'smtp-mail.outlook.com' }] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ service: 'Outlook365', host: 'smtp.gmail.com', ${AUTH} });`, name: 'known service overrides host', errors: [{ host: 'smtp.office365.com' }] },
    // other Microsoft hosts
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp-legacy.office365.com', ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp-mail.outlook.com', ${AUTH} });`, errors: [{ severity: 'error' }] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.us', ${AUTH} });`, errors: [{ host: 'smtp.office365.us' }] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.partner.outlook.cn', ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'mail.contoso.com', ${AUTH} });`, options: { extraHosts: ['mail.contoso.com'] }, errors: [{ host: 'mail.contoso.com' }] },
    // explicit LOGIN without a visible password
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { type: 'login', user: 'a', credentials: x } });\ndeclare const x: unknown;`, errors: [{}] },
    // value resolution
    { code: `import nodemailer from 'nodemailer';\nconst HOST = 'smtp.office365.com';\nconst opts = { host: HOST, ${AUTH} };\nnodemailer.createTransport(opts);`, errors: [{ related: ['app.ts:2'] }] },
    { code: "import nodemailer from 'nodemailer';\nconst region = 'office365';\nnodemailer.createTransport({ host: `smtp.${region}.com`, " + AUTH + " });", errors: [{ host: 'smtp.office365.com' }] },
    { code: `import nodemailer from 'nodemailer';\nconst base = Object.freeze({ host: 'smtp.office365.com', port: 587 });\nnodemailer.createTransport({ ...base, ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport(Object.assign({}, { host: 'smtp.office365.com' }, { ${AUTH} }));`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nconst cfg = { mail: { smtp: { host: 'smtp.office365.com' } } } as const;\nnodemailer.createTransport({ host: cfg.mail.smtp.host, ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nconst cfg = { mail: { host: 'smtp.office365.com' } };\nconst { mail: { host } } = cfg;\nnodemailer.createTransport({ host, ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: process.env.SMTP_HOST || 'smtp.office365.com', ${AUTH} });`, name: '|| default when env is unset', errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: process.env.SMTP_HOST, auth: { user: 'a', pass: process.env.SMTP_PASS } });`, env: { '.env': '# comment\nSMTP_HOST=smtp.office365.com\nSMTP_PASS=hunter2\n' }, errors: [{ related: ['.env:2', 'SMTP_PASS (value not shown)'] }] },
    { code: `import nodemailer from 'nodemailer';\nconst { SMTP_HOST } = process.env;\nnodemailer.createTransport({ host: SMTP_HOST, ${AUTH} });`, env: { '.env.example': 'SMTP_HOST=smtp.office365.com\n' }, errors: [{ related: ['(template)'] }] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: process.env['SMTP_HOST'], ${AUTH} });`, env: { '.env': 'SMTP_HOST=smtp.gmail.com\n', '.env.local': 'SMTP_HOST=smtp.office365.com\n' }, name: '.env.local wins over .env', errors: [{ related: ['.env.local'] }] },
    { code: `import nodemailer from 'nodemailer';\nconst prod = true;\nnodemailer.createTransport({ host: prod ? 'smtp.office365.com' : 'localhost', ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\ndeclare const prod: boolean;\nnodemailer.createTransport({ host: prod ? 'smtp.office365.com' : 'localhost', ${AUTH} });`, name: 'either branch of an unknown condition', errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nfunction smtpOptions() { return { host: 'smtp.office365.com', ${AUTH} }; }\nnodemailer.createTransport(smtpOptions());`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nenum Hosts { M365 = 'smtp.office365.com' }\nnodemailer.createTransport({ host: Hosts.M365, ${AUTH} });`, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} } satisfies object);`, errors: [{}] },
    // cross-file
    { code: `import { smtp } from './config';\nimport nodemailer from 'nodemailer';\nnodemailer.createTransport(smtp);`, files: { 'config.ts': `export const smtp = { host: 'smtp.office365.com', ${AUTH} };` }, errors: [{ related: ['config.ts:1'] }] },
    { code: `import { SMTP_HOST } from './settings';\nimport nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: SMTP_HOST, ${AUTH} });`, files: { 'settings.ts': `export { SMTP_HOST } from './hosts';`, 'hosts.ts': `export const SMTP_HOST = 'smtp.office365.com';` }, name: 're-export chain', errors: [{ related: ['hosts.ts:1'] }] },
    { code: `const cfg = require('./cfg');\nconst nodemailer = require('nodemailer');\nnodemailer.createTransport(cfg.smtp);`, filename: 'app.js', files: { 'cfg.js': `module.exports = { smtp: { host: 'smtp.office365.com', ${AUTH} } };` }, errors: [{}] },
    { code: `const cfg = require('./mail.json');\nconst nodemailer = require('nodemailer');\nnodemailer.createTransport(cfg);`, filename: 'app.js', files: { 'mail.json': `{ "host": "smtp.office365.com", "auth": { "user": "a", "pass": "hunter2" } }` }, errors: [{ related: ['mail.json:1'] }] },
    { code: `import cfg from './mail.json';\nimport nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: cfg.host, auth: cfg.auth });`, files: { 'mail.json': `{\n  "host": "smtp.office365.com",\n  "auth": { "user": "a", "pass": "hunter2" }\n}` }, errors: [{ related: ['mail.json:2'] }] },
    { code: `import defaults from './defaults';\nimport nodemailer from 'nodemailer';\nnodemailer.createTransport({ ...defaults, ${AUTH} });`, files: { 'defaults.ts': `export default { host: 'smtp.office365.com', port: 587 };` }, errors: [{}] },
    { code: `import { mailer } from './lib/mailer';\nmailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });`, files: { 'lib/mailer.ts': `import * as nodemailer from 'nodemailer';\nexport const mailer = nodemailer;` }, name: 'library re-exported by a wrapper module', errors: [{}] },
    { code: `import { createTransport } from './lib/mail';\ncreateTransport({ host: 'smtp.office365.com', ${AUTH} });`, files: { 'lib/mail.ts': `export { createTransport } from 'nodemailer';` }, errors: [{}] },
    // the call gate: chains that start with a call, and wrappers of wrappers
    { code: `function getMailer() {\n  return require('nodemailer');\n}\ngetMailer().createTransport({ host: 'smtp.office365.com', ${AUTH} });`, filename: 'app.js', name: 'a local function that returns the package', errors: [{}] },
    { code: `import { mailer } from './mail';\nmailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });`, files: { 'mail.ts': `export { mailer } from './lib/index';`, 'lib/index.ts': `import * as nodemailer from 'nodemailer';\nexport const mailer = nodemailer;` }, name: 'a wrapper re-exported by another module', errors: [{}] },
    { code: `import { makeOptions } from './factory';\nimport nodemailer from 'nodemailer';\nnodemailer.createTransport(makeOptions());`, files: { 'factory.ts': `export const makeOptions = () => ({ host: 'smtp.office365.com', ${AUTH} });` }, errors: [{}] },
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a', pass: process.env.SMTP_PASS ?? '' } });`, name: "an env password with a '' fallback is still a password", errors: [{}] },
    // severity after the deadline
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });`, options: { now: () => new Date('2027-01-02') }, name: 'SMTP to Exchange Online is an error in 2027', errors: [{ severity: 'error' }] },
    // two configs in one file
    { code: `import nodemailer from 'nodemailer';\nexport const a = nodemailer.createTransport({ host: 'smtp.office365.com', ${AUTH} });\nexport const b = nodemailer.createTransport({ service: 'Outlook365', ${AUTH} });`, errors: [{ line: 2 }, { line: 3 }] },
  ],
});

run('nodemailer-smtp-transport-password-auth', {
  valid: [
    `import smtpTransport from 'nodemailer-smtp-transport';\nsmtpTransport({ host: 'smtp.gmail.com', ${AUTH} });`,
    `import smtpTransport from 'nodemailer-smtp-transport';\nsmtpTransport({ host: 'smtp.office365.com', auth: { type: 'OAuth2', user: 'a' } });`,
  ],
  invalid: [
    {
      code: `const nodemailer = require('nodemailer');\nconst smtpTransport = require('nodemailer-smtp-transport');\nnodemailer.createTransport(smtpTransport({ host: 'smtp.office365.com', ${AUTH} }));`,
      filename: 'app.js',
      name: 'reported once, on the wrapper',
      errors: [{}],
    },
  ],
});

run('unresolved-mail-host', {
  valid: [`import nodemailer from 'nodemailer';\nexport function make(h: string) { return nodemailer.createTransport({ host: h, auth: { type: 'OAuth2', user: 'a' } }); }`],
  invalid: [
    {
      code: `import nodemailer from 'nodemailer';\nexport function make(h: string) { return nodemailer.createTransport({ host: h, ${AUTH} }); }`,
      options: { reportUnresolved: true },
      errors: [{ severity: 'info' }],
    },
  ],
});
