/** Meteor: process.env.MAIL_URL assignments, and MAIL_URL in the dotenv files of a Meteor app. */
import { run } from '../../harness/detector-tester';

const E = { code: 'nodemailer-password-auth', host: 'smtp.office365.com', message: 'Meteor' };
const METEOR = { '.meteor/release': 'METEOR@3.0.4\n' };

run('meteor-mail-url', {
  valid: [
    { filename: 'server/main.js', code: "process.env.MAIL_URL = 'smtp://smtp.office365.com:587';", name: 'relay without credentials' },
    { filename: 'server/main.js', code: "process.env.MAIL_URL = 'smtps://apikey:SG.x@smtp.sendgrid.net:465';" },
    { filename: 'server/main.js', code: "if (process.env.MAIL_URL === 'smtp://u:p@smtp.office365.com:587') { console.log('x'); }", name: 'comparison, not assignment' },
    { filename: 'server/main.js', code: "const MAIL_URL = 'smtp://u:p@smtp.office365.com:587';\nexport { MAIL_URL };", name: 'a constant called MAIL_URL' },
    { disk: {}, filename: 'server/main.js', code: 'export {};', env: { '.env': 'MAIL_URL=smtp://u:p@smtp.office365.com:587\n' }, name: '.env MAIL_URL outside a Meteor app' },
    { disk: METEOR, filename: 'server/main.js', code: 'export {};', env: { '.env': 'MAIL_URL=smtp://smtp.office365.com:25\n' }, name: '.env MAIL_URL without password' },
  ],
  invalid: [
    {
      filename: 'server/main.js',
      code: "import { Meteor } from 'meteor/meteor';\nMeteor.startup(() => {\n  process.env.MAIL_URL = 'smtp://app%40contoso.com:hunter2@smtp.office365.com:587';\n});",
      errors: [{ ...E, line: 3 }],
    },
    {
      name: 'template with credentials from settings',
      filename: 'server/mail.js',
      code: "const { user, pass } = Meteor.settings.smtp;\nprocess.env['MAIL_URL'] = `smtps://${encodeURIComponent(user)}:${pass}@smtp.office365.com:465`;",
      errors: [E],
    },
    {
      name: 'MAIL_URL in the .env of a Meteor app',
      disk: METEOR,
      filename: 'server/main.js',
      code: 'export {};',
      env: { '.env': 'ROOT_URL=http://localhost:3000\nMAIL_URL=smtp://app%40contoso.com:pw@smtp.office365.com:587\n' },
      errors: [{ ...E, related: ['MAIL_URL carries a password'] }],
    },
  ],
});
