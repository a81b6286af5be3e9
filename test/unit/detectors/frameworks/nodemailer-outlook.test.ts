/** nodejs-nodemailer-outlook sendEmail({ auth }): the package connects to smtp.office365.com unless `host` is given. */
import { run } from '../../harness/detector-tester';

const E = { code: 'nodemailer-password-auth', host: 'smtp.office365.com', message: 'nodejs-nodemailer-outlook' };
const CJS = "const nodeoutlook = require('nodejs-nodemailer-outlook');";

run('nodejs-nodemailer-outlook', {
  valid: [
    { filename: 'send.js', code: `${CJS}\nnodeoutlook.sendEmail({ host: 'smtp.gmail.com', auth: { user: 'me@gmail.com', pass: 'x' }, to: 'a@b.c' });` },
    { filename: 'send.js', code: `${CJS}\nnodeoutlook.sendEmail({ auth: { type: 'OAuth2', user: 'me@contoso.com', accessToken: 't' }, to: 'a@b.c' });` },
    { filename: 'send.js', code: `const nodeoutlook = { sendEmail(o) { return o; } };\nnodeoutlook.sendEmail({ auth: { user: 'me@contoso.com', pass: 'x' } });`, name: 'a local sendEmail' },
    { filename: 'send.js', code: `${CJS}\nmodule.exports = { send: nodeoutlook.sendEmail };`, name: 'no call' },
  ],
  invalid: [
    {
      filename: 'send.js',
      code: `${CJS}\nnodeoutlook.sendEmail({\n  auth: { user: 'sender@contoso.com', pass: process.env.OUTLOOK_PASSWORD },\n  from: 'sender@contoso.com',\n  to: 'receiver@contoso.com',\n  subject: 'Hey you, awesome!',\n  onError: (e) => console.log(e),\n});`,
      errors: [{ ...E, line: 2, related: ['nodejs-nodemailer-outlook connects by default to smtp.office365.com'] }],
    },
    {
      name: 'named import, explicit Office 365 host',
      filename: 'send.ts',
      code: "import { sendEmail } from 'nodejs-nodemailer-outlook';\nsendEmail({ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: '' }, to: 'x@y.z' });",
      errors: [E],
    },
  ],
});
