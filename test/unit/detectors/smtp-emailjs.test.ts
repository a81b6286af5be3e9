import { run } from '../harness/detector-tester';

run('emailjs-password-auth', {
  valid: [
    `import { SMTPClient } from 'emailjs';\nnew SMTPClient({ user: 'a', password: 'hunter2', host: 'smtp.gmail.com', ssl: true });`,
    `import { SMTPClient } from 'emailjs';\nnew SMTPClient({ user: 'a', password: token, host: 'smtp.office365.com', tls: true, authentication: ['XOAUTH2'] });\ndeclare const token: string;`,
    `import { SMTPClient, AUTH_METHODS } from 'emailjs';\nnew SMTPClient({ user: 'a', password: token, host: 'smtp.office365.com', authentication: [AUTH_METHODS.XOAUTH2] });\ndeclare const token: string;`,
    `import { SMTPClient } from 'emailjs';\nnew SMTPClient({ host: 'smtp.office365.com', port: 25 });`,
    `class SMTPClient { constructor(_o: unknown) {} }\nnew SMTPClient({ user: 'a', password: 'hunter2', host: 'smtp.office365.com' });`,
    `import { Message } from 'emailjs';\nnew Message({ from: 'a@contoso.com', to: 'b@contoso.com', text: 'password: smtp.office365.com' });`,
  ],
  invalid: [
    { code: `import { SMTPClient } from 'emailjs';\nnew SMTPClient({ user: 'a', password: 'hunter2', host: 'smtp.office365.com', tls: true });`, errors: [{ host: 'smtp.office365.com' }] },
    { code: `const { SMTPClient } = require('emailjs');\nconst c = new SMTPClient({ user: 'a', password: process.env.PW, host: 'smtp-mail.outlook.com', tls: true });`, filename: 'a.js', errors: [{ severity: 'error' }] },
    { code: `import * as email from 'emailjs';\nnew email.SMTPClient({ user: 'a', password: 'x', host: 'smtp.office365.com', authentication: ['LOGIN', 'XOAUTH2'] });`, name: 'XOAUTH2 among others still lets LOGIN win', errors: [{}] },
    { code: `const email = require('emailjs');\nemail.server.connect({ user: 'a', password: 'x', host: 'smtp.office365.com', tls: true });`, filename: 'old.js', name: 'emailjs 2.x server.connect', errors: [{}] },
  ],
});
