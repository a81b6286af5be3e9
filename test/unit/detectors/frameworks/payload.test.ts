/** Payload 3 nodemailerAdapter({ transportOptions }) and Payload 2 `email: { transportOptions }`. */
import { run } from '../../harness/detector-tester';

const E = { code: 'nodemailer-password-auth', host: 'smtp.office365.com', message: 'Payload' };
const B = "import { buildConfig } from 'payload';\nimport { nodemailerAdapter } from '@payloadcms/email-nodemailer';";
const AUTH = 'auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS }';
const F = 'src/payload.config.ts';

run('payload-email', {
  valid: [
    { filename: F, code: `${B}\nexport default buildConfig({ email: nodemailerAdapter() });`, name: 'ethereal preview adapter' },
    { filename: F, code: `${B}\nexport default buildConfig({ email: nodemailerAdapter({ defaultFromAddress: 'x@contoso.com', defaultFromName: 'X', transportOptions: { host: 'smtp.sendgrid.net', auth: { user: 'apikey', pass: 'x' } } }) });` },
    { filename: F, code: `${B}\nexport default buildConfig({ email: nodemailerAdapter({ transportOptions: { host: 'smtp.office365.com', auth: { type: 'OAuth2', user: 'a@contoso.com', accessToken: 't' } } }) });` },
    { filename: F, code: `import { buildConfig } from 'payload';\nimport { resendAdapter } from '@payloadcms/email-resend';\nexport default buildConfig({ email: resendAdapter({ apiKey: 'x', defaultFromAddress: 'a@contoso.com', defaultFromName: 'A' }) });` },
    { filename: F, code: `import type { CollectionConfig } from 'payload';\nexport const Users: CollectionConfig = { slug: 'users', fields: [{ name: 'smtp', type: 'text', defaultValue: 'smtp.office365.com' }] };` },
    { filename: 'src/server.ts', code: `import payload from 'payload';\npayload.init({ secret: 'x', email: { fromName: 'A', fromAddress: 'a@contoso.com', logMockCredentials: true } });`, name: 'Payload 2 mock email' },
  ],
  invalid: [
    {
      name: 'Payload 3 nodemailerAdapter transportOptions',
      filename: F,
      code: `${B}\nexport default buildConfig({\n  email: nodemailerAdapter({\n    defaultFromAddress: 'app@contoso.com',\n    defaultFromName: 'App',\n    transportOptions: { host: process.env.SMTP_HOST, port: 587, ${AUTH} },\n  }),\n});`,
      env: { '.env': 'SMTP_HOST=smtp.office365.com\nSMTP_PASS=x\n' },
      errors: [{ ...E, line: 4, related: ['SMTP_HOST=smtp.office365.com'] }],
    },
    {
      name: 'Payload 2 payload.init email.transportOptions',
      filename: 'src/server.ts',
      code: `import payload from 'payload';\nawait payload.init({ secret: process.env.PAYLOAD_SECRET, email: { fromName: 'App', fromAddress: 'app@contoso.com', transportOptions: { host: 'smtp.office365.com', port: 587, ${AUTH} } } });\nexport {};`,
      errors: [{ ...E, message: 'Payload 2' }],
    },
    {
      name: 'Payload 2 buildConfig from payload/config',
      filename: F,
      code: `import { buildConfig } from 'payload/config';\nexport default buildConfig({ email: { fromName: 'A', fromAddress: 'a@contoso.com', transportOptions: { service: 'Outlook365', ${AUTH} } } });`,
      errors: [E],
    },
  ],
});
