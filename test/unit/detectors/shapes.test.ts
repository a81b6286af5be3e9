/**
 * Shapes real code uses: barrels (`export * from`), CommonJS `exports.name` read through require(),
 * nodemailer 0.x `createTransport('SMTP', options)`, placeholder passwords, and the info rule for a
 * `service` that names Microsoft but that nodemailer does not know.
 */
import { run } from '../harness/detector-tester';

const AUTH = "auth: { user: 'app@contoso.com', pass: 'hunter2' }";
const NM = "import nodemailer from 'nodemailer';";
const CJS_NM = "const nodemailer = require('nodemailer');";
const O365 = { host: 'smtp.office365.com' };

run('nodemailer-password-auth', {
  valid: [
    // barrels that lead to a non-Microsoft config
    { code: `${NM}\nimport { smtp } from './config';\nnodemailer.createTransport(smtp);`, files: { 'config/index.ts': "export * from './smtp';", 'config/smtp.ts': `export const smtp = { host: 'smtp.gmail.com', ${AUTH} };` } },
    { code: `${NM}\nimport { smtp } from './config';\nnodemailer.createTransport(smtp);`, files: { 'config/index.ts': "export * from './smtp';\nexport * from './other';", 'config/smtp.ts': `export const smtp = { host: 'smtp.office365.com', auth: { type: 'OAuth2', user: 'a' } };`, 'config/other.ts': 'export const x = 1;' } },
    // CommonJS exports of a non-Microsoft host, and a host changed away from Microsoft before use
    { filename: 'app.js', code: `${CJS_NM}\nconst cfg = require('./cfg');\nnodemailer.createTransport(cfg.smtp);`, files: { 'cfg.js': `exports.smtp = { host: 'smtp.sendgrid.net', ${AUTH} };` } },
    { filename: 'app.js', code: `${CJS_NM}\nconst cfg = require('./cfg');\nnodemailer.createTransport(cfg.smtp);`, files: { 'cfg.js': `exports.smtp = { host: 'smtp.office365.com', ${AUTH} };\nexports.smtp.host = 'smtp.gmail.com';` }, name: 'host changed on the exported object before use' },
    { filename: 'app.js', code: `${CJS_NM}\nconst cfg = require('./cfg');\ncfg.smtp.auth = { type: 'OAuth2', user: 'a', accessToken: 't' };\nnodemailer.createTransport(cfg.smtp);`, files: { 'cfg.js': `module.exports.smtp = { host: 'smtp.office365.com', ${AUTH} };` }, name: 'auth replaced by OAuth2 in the client file' },
    // nodemailer 0.x non-SMTP transports
    { filename: 'app.js', code: `${CJS_NM}\nnodemailer.createTransport('SES', { AWSAccessKeyID: 'x', AWSSecretKey: 'y', ServiceUrl: 'https://smtp.office365.com' });` },
    { filename: 'app.js', code: `${CJS_NM}\nnodemailer.createTransport('sendmail', { path: '/usr/sbin/sendmail' });` },
    { filename: 'app.js', code: `${CJS_NM}\nnodemailer.createTransport('SMTP', { service: 'Gmail', ${AUTH} });` },
    // an assignment in a function that may never run, and one to a shadowing parameter, are not applied
    { filename: 'app.js', code: `${CJS_NM}\nconst cfg = require('./cfg');\nnodemailer.createTransport(cfg.smtp);`, files: { 'cfg.js': `exports.smtp = { host: 'smtp.gmail.com', ${AUTH} };\nexports.useO365 = function () { exports.smtp.host = 'smtp.office365.com'; };` } },
    { filename: 'app.js', code: `${CJS_NM}\nconst cfg = require('./cfg');\nfunction f(cfg) { cfg.smtp.host = 'smtp.office365.com'; }\nnodemailer.createTransport(cfg.smtp);`, files: { 'cfg.js': `exports.smtp = { host: 'smtp.gmail.com', ${AUTH} };` } },
    // a barrel that re-exports a local lookalike of createTransport
    { code: "import { createTransport } from './mail';\ncreateTransport({ host: 'smtp.office365.com', auth: { user: 'a', pass: 'b' } });", files: { 'mail/index.ts': "export * from './fake';", 'mail/fake.ts': 'export function createTransport(o: unknown) { return o; }' } },
    // nodemailer 0.x shapes that are not SMTP logins
    { filename: 'app.js', code: `${CJS_NM}\nnodemailer.createTransport('SMTP');` },
    { filename: 'app.js', code: `${CJS_NM}\nnodemailer.createTransport('direct', { name: 'smtp.office365.com' });` },
    { filename: 'app.js', code: `${CJS_NM}\nconst mail = require('./mail-config');\nnodemailer.createTransport(mail.smtp);`, files: { 'mail-config.js': `module.exports = {};\nmodule.exports.smtp = { host: 'smtp.office365.com', ${AUTH} };\nmodule.exports.smtp.host = 'smtp.mailgun.org';` } },
    // placeholder user but no password key: no login
    `${NM}\nnodemailer.createTransport({ host: 'smtp.office365.com', port: 25, auth: { user: 'YOUR_USER' } });`,
    // service names that are not Microsoft, or are nodemailer's own
    `${NM}\nnodemailer.createTransport({ service: 'Mailgun', ${AUTH} });`,
    `${NM}\nnodemailer.createTransport({ service: 'Outlook365', auth: { type: 'OAuth2', user: 'a' } });`,
    `${NM}\nnodemailer.createTransport({ service: 'mycompany-relay', host: 'relay.example.org', ${AUTH} });`,
  ],
  invalid: [
    {
      name: 'export * barrel (TS)',
      code: `${NM}\nimport { smtp } from './config';\nnodemailer.createTransport(smtp);`,
      files: { 'config/index.ts': "export * from './smtp';", 'config/smtp.ts': `export const smtp = { host: 'smtp.office365.com', ${AUTH} };` },
      errors: [{ ...O365, related: ['config/smtp.ts:1'] }],
    },
    {
      name: 'barrel of barrels (ESM JS)',
      filename: 'app.mjs',
      code: `${NM}\nimport { mail } from './lib/index.mjs';\nnodemailer.createTransport(mail.smtp);`,
      files: { 'lib/index.mjs': "export * from './config/index.mjs';", 'lib/config/index.mjs': "export * from './mail.mjs';", 'lib/config/mail.mjs': `export const mail = { smtp: { host: 'smtp.office365.com', ${AUTH} } };` },
      errors: [O365],
    },
    {
      name: 'CommonJS exports.name read through require() member access',
      filename: 'app.js',
      code: `${CJS_NM}\nconst transport = nodemailer.createTransport(require('./config').smtp);`,
      files: { 'config.js': `exports.smtp = { host: 'smtp.office365.com', port: 587, ${AUTH} };` },
      errors: [O365],
    },
    {
      name: 'module.exports.name, auth added to the object afterwards',
      filename: 'app.js',
      code: `${CJS_NM}\nconst { smtp } = require('./config');\nnodemailer.createTransport(smtp);`,
      files: { 'config.js': "module.exports.smtp = { host: 'smtp.office365.com', port: 587 };\nmodule.exports.smtp.auth = { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS };" },
      errors: [O365],
    },
    {
      name: 'module.exports = {} then properties assigned',
      filename: 'app.js',
      code: `${CJS_NM}\nconst config = require('./config');\nnodemailer.createTransport(config.mail);`,
      files: { 'config.js': `const config = {};\nconfig.mail = { host: 'smtp.gmail.com', ${AUTH} };\nconfig.mail.host = 'smtp.office365.com';\nmodule.exports = config;` },
      errors: [O365],
    },
    {
      name: 'module.exports = {} then module.exports.name assigned',
      filename: 'app.js',
      code: `${CJS_NM}\nconst mail = require('./mail-config');\nnodemailer.createTransport(mail.smtp);`,
      files: { 'mail-config.js': `module.exports = {};\nmodule.exports.smtp = { host: 'smtp.office365.com', ${AUTH} };` },
      errors: [O365],
    },
    {
      name: 'host set on the required object in the client file',
      filename: 'app.js',
      code: `${CJS_NM}\nconst cfg = require('./cfg');\ncfg.smtp.host = 'smtp.office365.com';\nnodemailer.createTransport(cfg.smtp);`,
      files: { 'cfg.js': `exports.smtp = { ${AUTH} };` },
      errors: [O365],
    },
    {
      name: "nodemailer 0.x createTransport('SMTP', options)",
      filename: 'app.js',
      code: `${CJS_NM}\nvar smtpTransport = nodemailer.createTransport('SMTP', { service: 'Hotmail', ${AUTH} });`,
      errors: [{ host: 'smtp-mail.outlook.com' }],
    },
    { name: "nodemailer 0.x 'smtp' lower case", filename: 'app.js', code: `${CJS_NM}\nnodemailer.createTransport('smtp', { host: 'smtp.office365.com', ${AUTH} });`, errors: [O365] },
    // placeholder passwords are password logins waiting for a value
    { name: "placeholder pass ''", code: `${NM}\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: '' } });`, errors: [O365] },
    { name: 'placeholder pass <password>', code: `${NM}\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: '<password>' } });`, errors: [O365] },
    { name: 'placeholder pass YOUR_PASSWORD', code: `${NM}\nnodemailer.createTransport({ service: 'Outlook365', auth: { user: 'a@contoso.com', pass: 'YOUR_PASSWORD' } });`, errors: [O365] },
    // a service that names Microsoft but is not a nodemailer name: info, nodemailer connects to localhost
    {
      name: "service 'Office365' (not a nodemailer name)",
      code: `${NM}\nnodemailer.createTransport({ service: 'Office365', ${AUTH} });`,
      errors: [{ code: 'nodemailer-unknown-service', severity: 'info', message: "connects to localhost (no `host` is set)" }],
    },
    {
      name: "service 'smtp.office365.com' plus a Microsoft host: both rules",
      code: `${NM}\nnodemailer.createTransport({\n  service: 'smtp.office365.com',\n  host: 'smtp.office365.com',\n  ${AUTH},\n});`,
      errors: [{ ...O365, line: 2, code: 'nodemailer-password-auth' }, { code: 'nodemailer-unknown-service', line: 3, message: 'connects to smtp.office365.com' }],
    },
    {
      name: "service 'office365' through NestJS mailer",
      filename: 'mail.module.ts',
      code: "import { MailerModule } from '@nestjs-modules/mailer';\nMailerModule.forRoot({ transport: { service: 'office365', auth: { user: 'a', pass: 'b' } } });",
      errors: [{ code: 'nodemailer-unknown-service', message: "'Outlook365'" }],
    },
  ],
});
