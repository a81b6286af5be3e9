/** NextAuth v4 EmailProvider, v3 Providers.Email, Auth.js Nodemailer: `server` goes to createTransport. */
import { run } from '../../harness/detector-tester';

const E = { code: 'nodemailer-password-auth', host: 'smtp.office365.com' };
const V4 = "import EmailProvider from 'next-auth/providers/email';";
const AUTH = "auth: { user: process.env.EMAIL_SERVER_USER, pass: process.env.EMAIL_SERVER_PASSWORD }";
const F = 'pages/api/auth/[...nextauth].ts';

run('next-auth-email-provider', {
  valid: [
    // SendGrid / Gmail / OAuth2 / json transport
    { filename: F, code: `${V4}\nexport const authOptions = { providers: [EmailProvider({ server: { host: 'smtp.sendgrid.net', port: 587, auth: { user: 'apikey', pass: process.env.SENDGRID_API_KEY } }, from: 'no-reply@example.com' })] };` },
    { filename: F, code: `${V4}\nEmailProvider({ server: 'smtp://me%40gmail.com:pw@smtp.gmail.com:587', from: 'me@gmail.com' });` },
    { filename: F, code: `${V4}\nEmailProvider({ server: { host: 'smtp.office365.com', port: 587, auth: { type: 'OAuth2', user: 'app@contoso.com', accessToken: process.env.TOKEN } } });` },
    { filename: F, code: `${V4}\nEmailProvider({ server: { jsonTransport: true } });` },
    // env URL that points elsewhere
    { filename: F, code: `${V4}\nEmailProvider({ server: process.env.EMAIL_SERVER, from: process.env.EMAIL_FROM });`, env: { '.env': 'EMAIL_SERVER=smtp://resend:re_123@smtp.resend.com:587\n' } },
    // relay without credentials
    { filename: F, code: `${V4}\nEmailProvider({ server: 'smtp://smtp.office365.com:587' });` },
    // a local EmailProvider is not NextAuth's
    { filename: F, code: `function EmailProvider(o: unknown) { return o; }\nEmailProvider({ server: { host: 'smtp.office365.com', ${AUTH} } });` },
    // other NextAuth providers
    { filename: F, code: `import GitHubProvider from 'next-auth/providers/github';\nGitHubProvider({ clientId: 'x', clientSecret: 'smtp://u:p@smtp.office365.com' });` },
    { filename: F, code: `import Resend from 'next-auth/providers/resend';\nResend({ apiKey: process.env.AUTH_RESEND_KEY, from: 'x@contoso.com' });` },
    // Auth.js SendGrid provider
    { filename: 'auth.ts', code: `import SendGrid from '@auth/core/providers/sendgrid';\nSendGrid({ apiKey: 'smtp://u:p@smtp.office365.com' });` },
    // preview URL string without password
    { filename: 'auth.ts', code: `import Nodemailer from 'next-auth/providers/nodemailer';\nNodemailer({ server: process.env.EMAIL_SERVER });`, env: { '.env': 'EMAIL_SERVER=smtp://localhost:1025\n' } },
  ],
  invalid: [
    {
      name: 'v4 EmailProvider with an options object, credentials from .env',
      filename: F,
      code: `import NextAuth from 'next-auth';\n${V4}\nexport default NextAuth({\n  providers: [\n    EmailProvider({\n      server: { host: process.env.EMAIL_SERVER_HOST, port: Number(process.env.EMAIL_SERVER_PORT), ${AUTH} },\n      from: process.env.EMAIL_FROM,\n    }),\n  ],\n});`,
      env: { '.env.local': 'EMAIL_SERVER_HOST=smtp.office365.com\nEMAIL_SERVER_USER=app@contoso.com\nEMAIL_SERVER_PASSWORD=hunter2\n' },
      errors: [{ ...E, line: 5, message: 'NextAuth EmailProvider', related: ['EMAIL_SERVER_HOST=smtp.office365.com', 'EMAIL_SERVER_PASSWORD (value not shown)'] }],
    },
    {
      name: 'v4 server as process.env.EMAIL_SERVER whose .env value is a URL',
      filename: F,
      code: `${V4}\nexport const authOptions = { providers: [EmailProvider({ server: process.env.EMAIL_SERVER, from: process.env.EMAIL_FROM })] };`,
      env: { '.env': 'EMAIL_SERVER=smtp://app%40contoso.com:hunter2@smtp.office365.com:587\nEMAIL_FROM=app@contoso.com\n' },
      errors: [{ ...E, related: ['EMAIL_SERVER (value not shown)'] }],
    },
    {
      name: 'v4 server as a URL literal',
      filename: F,
      code: `${V4}\nEmailProvider({ server: 'smtps://app%40contoso.com:changeme@smtp.office365.com:465', from: 'app@contoso.com' });`,
      errors: [E],
    },
    {
      name: 'v3 Providers.Email',
      filename: 'pages/api/auth/[...nextauth].js',
      code: `import NextAuth from 'next-auth';\nimport Providers from 'next-auth/providers';\nexport default NextAuth({ providers: [Providers.Email({ server: { host: 'smtp.office365.com', port: 587, ${AUTH} }, from: 'x@contoso.com' })] });`,
      errors: [{ ...E, message: 'NextAuth' }],
    },
    {
      name: 'Auth.js Nodemailer provider (next-auth v5)',
      filename: 'auth.ts',
      code: `import NextAuth from 'next-auth';\nimport Nodemailer from 'next-auth/providers/nodemailer';\nexport const { handlers, auth } = NextAuth({ providers: [Nodemailer({ server: process.env.EMAIL_SERVER, from: process.env.EMAIL_FROM })] });`,
      env: { '.env': 'EMAIL_SERVER=smtp://app%40contoso.com:pw@smtp-mail.outlook.com:587\n' },
      errors: [{ ...E, host: 'smtp-mail.outlook.com', severity: 'error', message: 'Auth.js Nodemailer provider' }],
    },
    {
      name: '@auth/core Nodemailer provider, server object in another module',
      filename: 'auth.config.ts',
      code: `import Nodemailer from '@auth/core/providers/nodemailer';\nimport { smtp } from './mail/smtp';\nexport default { providers: [Nodemailer({ server: smtp, from: 'a@contoso.com' })] };`,
      files: { 'mail/smtp.ts': `export const smtp = { service: 'Outlook365', ${AUTH} };` },
      errors: [{ ...E, related: ["well-known service 'Outlook365'"] }],
    },
  ],
});
