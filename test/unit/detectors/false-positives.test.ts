import { run } from '../harness/detector-tester';

/** Shapes that look like mail configs but are not password logins to Microsoft (cross-library). */
run('false-positives', {
  valid: [
    `const config = { host: 'smtp.office365.com', user: 'a', password: 'b' };\nexport default config;`,
    `import axios from 'axios';\naxios.post('https://smtp.office365.com', { user: 'a', pass: 'b' });`,
    `const db = { host: 'outlook.office365.com', password: 'x' };\nnew Map(Object.entries(db));`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: process.env.SMTP_HOST, auth: { user: 'a', pass: 'b' } });`,
    { code: `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: process.env.SMTP_HOST, auth: { user: 'a', pass: 'b' } });`, env: { 'other/.env': 'SMTP_HOST=smtp.office365.com\n' }, name: '.env in an unrelated folder is not used' },
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ sendmail: true, newline: 'unix', path: '/usr/sbin/sendmail' });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ jsonTransport: true });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com.evil.example', auth: { user: 'a', pass: 'b' } });`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'notoffice365.com', auth: { user: 'a', pass: 'b' } });`,
    `import nodemailer from 'nodemailer';\nconst t = nodemailer.createTransport({ host: 'smtp.office365.com', auth: { type: 'OAuth2', user: 'a' } });\nt.set('oauth2_provision_cb', () => {});`,
    `import { ImapFlow } from 'imapflow';\nconst opts = { host: 'outlook.office365.com', auth: { user: 'a', accessToken: 't' } };\nnew ImapFlow(opts);`,
    `import Imap from 'imap';\nfunction make(password: string) { return new Imap({ user: 'a', password, host: 'imap.fastmail.com' }); }\nmake('x');`,
    `import { createTransport } from 'nodemailer';\nconst createTransportLater = createTransport;\nexport { createTransportLater };`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport(undefined as never);`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport('not a url');`,
    `import nodemailer from 'nodemailer';\nnodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a', pass: undefined } });`,
    { code: `const tools = require('./tools');\ntools.createTransport({ host: 'smtp.office365.com', auth: { user: 'a', pass: 'b' } });`, filename: 'app.js', files: { 'tools.js': `exports.createTransport = (o) => o;` }, name: 'a local module with the same function names' },
    `const _ = require('lodash');\n_.chain({ host: 'smtp.office365.com', auth: { user: 'a', pass: 'b' } }).value();`,
    // fixed TypeScript keeps an empty password where the typings require the key; the hook logs in with a token
    `import Pop3Command from 'node-pop3';\nimport { withPop3OAuth2 } from './mail-oauth-token';\nwithPop3OAuth2(new Pop3Command({ user: 'a', password: '', host: 'outlook.office365.com', port: 995, tls: true }), 'outlook.office365.com');`,
    // ... and what an earlier version of the fix wrote: AUTH XOAUTH2 by command after the client is created
    `import Pop3Command from 'node-pop3';\nimport { pop3XOAuth2Login } from './mail-oauth-token';\nconst pop3 = new Pop3Command({ user: 'a', password: '', host: 'outlook.office365.com', port: 995, tls: true });\nawait pop3XOAuth2Login(pop3, 'a');`,
  ],
  invalid: [],
});
