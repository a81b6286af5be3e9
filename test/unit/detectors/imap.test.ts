import { run } from '../harness/detector-tester';

run('imapflow-password-auth', {
  valid: [
    `import { ImapFlow } from 'imapflow';\nnew ImapFlow({ host: 'imap.gmail.com', port: 993, secure: true, auth: { user: 'a', pass: 'hunter2' } });`,
    `import { ImapFlow } from 'imapflow';\nnew ImapFlow({ host: 'outlook.office365.com', port: 993, secure: true, auth: { user: 'a', accessToken: tok } });\ndeclare const tok: string;`,
    `import { ImapFlow } from 'imapflow';\nnew ImapFlow({ host: 'outlook.office365.com', port: 993, secure: true, auth: { user: 'a', pass: undefined, accessToken: 't' } });`,
    `class ImapFlow { constructor(_o: unknown) {} }\nnew ImapFlow({ host: 'outlook.office365.com', auth: { user: 'a', pass: 'b' } });`,
    `import { ImapFlow } from 'imapflow';\nexport const make = (host: string, pass: string) => new ImapFlow({ host, port: 993, auth: { user: 'a', pass } });`,
    `import { ImapFlow } from 'imapflow';\n/* mail-oauth-ignore */ new ImapFlow({ host: 'outlook.office365.com', auth: { user: 'a', pass: 'b' } });`,
  ],
  invalid: [
    { code: `import { ImapFlow } from 'imapflow';\nnew ImapFlow({ host: 'outlook.office365.com', port: 993, secure: true, auth: { user: 'a', pass: 'hunter2' } });`, errors: [{ host: 'outlook.office365.com', severity: 'error' }] },
    { code: `const { ImapFlow } = require('imapflow');\nconst client = new ImapFlow({ host: 'outlook.office.com', port: 993, secure: true, auth: { user: 'a', pass: process.env.P } });`, filename: 'x.cjs', errors: [{ host: 'outlook.office.com' }] },
    { code: `import * as imapflow from 'imapflow';\nnew imapflow.ImapFlow({ host: 'imap-mail.outlook.com', auth: { user: 'a', pass: 'b' } });`, errors: [{ host: 'imap-mail.outlook.com' }] },
    { code: `export async function f() {\n  const { ImapFlow } = await import('imapflow');\n  return new ImapFlow({ host: 'outlook.office365.com', auth: { user: 'a', pass: 'b' } });\n}`, errors: [{}] },
    { code: `import { ImapFlow } from 'imapflow';\nimport { imapSettings } from './settings';\nnew ImapFlow(imapSettings);`, files: { 'settings.ts': `const auth = { user: 'a', pass: 'b' };\nexport const imapSettings = { host: 'outlook.office365.com', port: 993, secure: true, auth };` }, errors: [{ related: ['settings.ts:2'] }] },
  ],
});

run('imap-password-auth', {
  valid: [
    `import Imap from 'imap';\nnew Imap({ user: 'a', password: 'b', host: 'imap.gmail.com', port: 993, tls: true });`,
    `import Imap from 'imap';\nnew Imap({ user: 'a', xoauth2: token, host: 'outlook.office365.com', port: 993, tls: true });\ndeclare const token: string;`,
    `import Imap from 'imap';\nnew Imap({ user: 'a', password: '', xoauth2: 'dXNlcj1h', host: 'outlook.office365.com', port: 993, tls: true });`,
    `import Imap from 'imap';\nnew Imap({ user: 'a', host: 'outlook.office365.com', port: 993, tls: true });`,
    `const Imap = require('imapflow-compat');\nnew Imap({ user: 'a', password: 'b', host: 'outlook.office365.com' });`,
    `import Imap from 'imap';\nconst s = { imap: Imap };\nexport default s;`,
  ],
  invalid: [
    { code: `import Imap from 'imap';\nnew Imap({ user: 'a', password: 'b', host: 'outlook.office365.com', port: 993, tls: true });`, errors: [{ severity: 'error' }] },
    { code: `const Imap = require('imap');\nconst imap = new Imap({ user: process.env.U, password: process.env.P, host: process.env.H, port: 993, tls: true });`, filename: 'r.js', env: { '.env.production': 'H=outlook.office365.com\n' }, errors: [{ related: ['.env.production'] }] },
    { code: `const imap = new (require('imap'))({ user: 'a', password: 'b', host: 'outlook.office365.com' });`, filename: 'r.js', errors: [{}] },
    { code: `import Imap = require('imap');\nnew Imap({ user: 'a', password: 'b', host: 'pop.outlook.office365.com' });`, name: 'any *.office365.com host', errors: [{}] },
    { code: `import Imap from 'imap';\nconst base = { host: 'outlook.office365.com', port: 993, tls: true };\nconst creds = { user: 'a', password: 'b' };\nnew Imap({ ...base, ...creds });`, errors: [{}] },
  ],
});

run('imap-simple-password-auth', {
  valid: [
    `import imaps from 'imap-simple';\nimaps.connect({ imap: { user: 'a', password: 'b', host: 'imap.gmail.com', port: 993, tls: true } });`,
    `import imaps from 'imap-simple';\nimaps.connect({ imap: { user: 'a', xoauth2: x, host: 'outlook.office365.com', port: 993, tls: true } });\ndeclare const x: string;`,
    `const connect = (o: unknown) => o;\nconnect({ imap: { user: 'a', password: 'b', host: 'outlook.office365.com' } });`,
    `import imaps from 'imap-simple';\nimaps.getParts([]);`,
  ],
  invalid: [
    { code: `import imaps from 'imap-simple';\nimaps.connect({ imap: { user: 'a', password: 'b', host: 'outlook.office365.com', port: 993, tls: true } });`, errors: [{}] },
    { code: `const imaps = require('imap-simple');\nconst config = { imap: { user: 'a', password: process.env.PW, host: 'outlook.office365.com', port: 993, tls: true } };\nimaps.connect(config).then(() => {});`, filename: 'r.js', errors: [{}] },
    { code: `import { connect } from 'imap-simple';\nconnect({ imap: { user: 'a', password: 'b', host: 'outlook.office365.com' }, onmail: () => {} });`, errors: [{}] },
  ],
});

run('mail-listener-password-auth', {
  valid: [
    `import MailListener from 'mail-listener2';\nnew MailListener({ username: 'a', password: 'b', host: 'imap.gmail.com', port: 993, tls: true });`,
    `import MailListener from 'mail-listener2';\nnew MailListener({ username: 'a', xoauth2: x, host: 'outlook.office365.com', port: 993, tls: true });\ndeclare const x: string;`,
    `import MailListener from 'not-mail-listener';\nnew MailListener({ username: 'a', password: 'b', host: 'outlook.office365.com' });`,
  ],
  invalid: [
    { code: `const MailListener = require('mail-listener2');\nnew MailListener({ username: 'a', password: 'b', host: 'outlook.office365.com', port: 993, tls: true });`, filename: 'l.js', errors: [{}] },
    { code: `import { MailListener } from 'mail-listener5';\nnew MailListener({ username: 'a', password: 'b', host: 'outlook.office365.com', port: 993, tls: true });`, errors: [{}] },
  ],
});

run('mail-notifier-password-auth', {
  valid: [
    `import notifier from 'mail-notifier';\nnotifier({ user: 'a', password: 'b', host: 'imap.gmail.com', port: 993, tls: true });`,
    `import notifier from 'mail-notifier';\nnotifier({ user: 'a', xoauth2: x, host: 'outlook.office365.com', port: 993, tls: true });\ndeclare const x: string;`,
  ],
  invalid: [
    { code: `const notifier = require('mail-notifier');\nnotifier({ user: 'a', password: 'b', host: 'outlook.office365.com', port: 993, tls: true }).on('mail', () => {}).start();`, filename: 'n.js', errors: [{}] },
  ],
});

run('emailjs-imap-client-password-auth', {
  valid: [
    `import ImapClient from 'emailjs-imap-client';\nnew ImapClient('imap.gmail.com', 993, { auth: { user: 'a', pass: 'b' } });`,
    `import ImapClient from 'emailjs-imap-client';\nnew ImapClient('outlook.office365.com', 993, { auth: { user: 'a', xoauth2: t } });\ndeclare const t: string;`,
    `import ImapClient from 'emailjs-imap-client';\nnew ImapClient('outlook.office365.com', 993);`,
  ],
  invalid: [
    { code: `import ImapClient from 'emailjs-imap-client';\nnew ImapClient('outlook.office365.com', 993, { useSecureTransport: true, auth: { user: 'a', pass: 'b' } });`, errors: [{}] },
    { code: `const ImapClient = require('emailjs-imap-client').default;\nnew ImapClient('outlook.office365.com', 993, { auth: { user: 'a', pass: 'b' } });`, filename: 'c.js', errors: [{}] },
  ],
});
