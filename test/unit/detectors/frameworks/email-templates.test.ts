/** email-templates `new Email({ transport })`. */
import { run } from '../../harness/detector-tester';

const E = { code: 'nodemailer-password-auth', host: 'smtp.office365.com', message: 'email-templates' };
const CJS = "const Email = require('email-templates');";
const AUTH = "auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS }";

run('email-templates', {
  valid: [
    { filename: 'mailer.js', code: `${CJS}\nconst email = new Email({ message: { from: 'x@contoso.com' }, transport: { jsonTransport: true } });` },
    { filename: 'mailer.js', code: `${CJS}\nnew Email({ send: false, preview: true, transport: { host: 'smtp.office365.com', ${AUTH} } });`, name: 'preview only (send: false)' },
    { filename: 'mailer.js', code: `${CJS}\nnew Email({ send: true, transport: { service: 'SendGrid', auth: { user: 'apikey', pass: 'x' } } });` },
    { filename: 'mailer.js', code: `${CJS}\nnew Email({ send: true, transport: { service: 'gmail', ${AUTH} } });` },
    { filename: 'mailer.js', code: `${CJS}\nnew Email({ send: true, transport: { host: 'smtp.office365.com', auth: { type: 'OAuth2', user: 'a@contoso.com', accessToken: 't' } } });` },
    { filename: 'mailer.js', code: `class Email { constructor(o) { this.o = o; } }\nnew Email({ send: true, transport: { host: 'smtp.office365.com', ${AUTH} } });`, name: 'a local Email class' },
  ],
  invalid: [
    {
      filename: 'mailer.js',
      code: `${CJS}\nconst email = new Email({\n  message: { from: 'app@contoso.com' },\n  send: true,\n  transport: { host: 'smtp.office365.com', port: 587, ${AUTH} },\n});\nmodule.exports = email;`,
      errors: [{ ...E, line: 2 }],
    },
    {
      name: 'ESM import, URL transport, send by default',
      filename: 'mailer.mjs',
      code: "import Email from 'email-templates';\nexport const email = new Email({ transport: 'smtp://app%40contoso.com:pw@smtp.office365.com:587', views: { root: 'emails' } });",
      errors: [E],
    },
    {
      name: 'transport options in a config module',
      filename: 'mailer.ts',
      code: "import Email from 'email-templates';\nimport config from './config';\nexport const email = new Email({ send: process.env.NODE_ENV === 'production', transport: config.smtp });",
      files: { 'config.ts': `export default { smtp: { service: 'Outlook365', ${AUTH} } };` },
      errors: [E],
    },
  ],
});
