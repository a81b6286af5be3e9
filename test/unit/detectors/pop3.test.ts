import { run } from '../harness/detector-tester';

run('node-pop3-password-auth', {
  valid: [
    `import Pop3Command from 'node-pop3';\nnew Pop3Command({ user: 'a', password: 'b', host: 'pop.gmail.com', port: 995, tls: true });`,
    `import Pop3Command from 'node-pop3';\nnew Pop3Command({ host: 'outlook.office365.com', port: 995, tls: true });`,
    `class Pop3Command { constructor(_o: unknown) {} }\nnew Pop3Command({ user: 'a', password: 'b', host: 'outlook.office365.com' });`,
  ],
  invalid: [
    { code: `import Pop3Command from 'node-pop3';\nnew Pop3Command({ user: 'a', password: 'b', host: 'outlook.office365.com', port: 995, tls: true });`, errors: [{ severity: 'error' }] },
    { code: `const Pop3Command = require('node-pop3');\nconst p = new Pop3Command({ user: 'a', password: process.env.POP_PW, host: 'pop-mail.outlook.com', port: 995, tls: true });`, filename: 'p.js', errors: [{ host: 'pop-mail.outlook.com' }] },
  ],
});

run('poplib-password-auth', {
  valid: [
    `const POP3Client = require('poplib');\nconst c = new POP3Client(995, 'pop.gmail.com', { enabletls: true });\nc.on('connect', () => c.login('a', 'b'));`,
    `const POP3Client = require('poplib');\nconst c = new POP3Client(995, 'outlook.office365.com', { enabletls: true });\nc.on('connect', () => c.list());`,
    `const POP3Client = require('poplib');\nconst c = new POP3Client(995, 'outlook.office365.com', { enabletls: true });\nconst other = { login: (_u: string, _p: string) => 0 };\nother.login('a', 'b');`,
  ],
  invalid: [
    {
      code: `const POP3Client = require('poplib');\nconst client = new POP3Client(995, 'outlook.office365.com', { tlserrs: false, enabletls: true });\nclient.on('connect', function () {\n  client.login('a@contoso.com', process.env.POP_PASSWORD);\n});`,
      filename: 'p.js',
      errors: [{ line: 2 }],
    },
    {
      code: `const POP3Client = require('poplib');\nconst client = new POP3Client(995, 'outlook.office365.com', {});\nclient.on('connect', () => client.auth('PLAIN', 'a', 'b'));`,
      filename: 'p.js',
      errors: [{}],
    },
  ],
});

run('yapople-password-auth', {
  valid: [
    `const { Client } = require('yapople');\nnew Client({ hostname: 'pop.gmail.com', port: 995, tls: true, username: 'a', password: 'b' });`,
    `const { Client } = require('pg');\nnew Client({ host: 'outlook.office365.com', password: 'b' });`,
  ],
  invalid: [
    { code: `const { Client } = require('yapople');\nnew Client({ hostname: 'outlook.office365.com', port: 995, tls: true, username: 'a', password: 'b' });`, filename: 'y.js', errors: [{}] },
    { code: `import { Client } from 'yapople';\nnew Client({ hostname: 'outlook.office365.com', port: 995, tls: true, username: 'a', password: 'b', mailparser: true });`, errors: [{}] },
  ],
});
