/** Strapi email plugin with the nodemailer provider in config/plugins.{js,ts}; env() through .env. */
import { run } from '../../harness/detector-tester';

const E = { code: 'nodemailer-password-auth', host: 'smtp.office365.com', message: 'Strapi' };
const PKG = { 'package.json': JSON.stringify({ name: 'cms', dependencies: { '@strapi/strapi': '5.0.0', '@strapi/provider-email-nodemailer': '5.0.0' } }) };
const PKG3 = { 'package.json': JSON.stringify({ name: 'cms', dependencies: { strapi: '3.6.8', 'strapi-provider-email-nodemailer': '3.0.0' } }) };
const v4 = (options: string, provider = "'nodemailer'"): string =>
  `module.exports = ({ env }) => ({\n  email: {\n    config: {\n      provider: ${provider},\n      providerOptions: ${options},\n      settings: { defaultFrom: 'app@contoso.com' },\n    },\n  },\n});\n`;
const ENV_OPTS = "{ host: env('SMTP_HOST', 'smtp.example.com'), port: env.int('SMTP_PORT', 587), auth: { user: env('SMTP_USERNAME'), pass: env('SMTP_PASSWORD') } }";

run('strapi-email', {
  valid: [
    { disk: PKG, filename: 'config/plugins.js', code: v4("{ apiKey: env('SENDGRID_API_KEY') }", "'sendgrid'"), name: 'SendGrid provider' },
    { disk: PKG, filename: 'config/plugins.js', code: v4(ENV_OPTS), env: { '.env': 'SMTP_HOST=smtp.gmail.com\nSMTP_PASSWORD=x\n' }, name: 'Gmail host from .env' },
    { disk: PKG, filename: 'config/plugins.js', code: v4("{ host: 'smtp.office365.com', auth: { type: 'OAuth2', user: env('SMTP_USERNAME'), accessToken: env('TOKEN') } }"), name: 'OAuth2' },
    { disk: PKG, filename: 'config/plugins.js', code: v4(ENV_OPTS), name: 'default host is not Microsoft' },
    { disk: { 'package.json': '{"name":"not-strapi","dependencies":{"express":"4"}}' }, filename: 'config/plugins.js', code: v4("{ host: 'smtp.office365.com', auth: { user: 'u', pass: 'p' } }"), name: 'not a Strapi package' },
    { disk: { 'package.json': '{"name":"not-strapi","dependencies":{"nodemailer":"7"}}' }, filename: 'config/plugins.js', code: v4("{ host: 'smtp.office365.com', auth: { user: 'u', pass: 'p' } }"), name: 'nodemailer alone does not make a Strapi package' },
    { disk: PKG, filename: 'config/server.js', code: v4("{ host: 'smtp.office365.com', auth: { user: 'u', pass: 'p' } }"), name: 'not the plugins config' },
    { disk: PKG, filename: 'config/plugins.js', code: "module.exports = ({ env }) => ({ 'users-permissions': { config: { jwtSecret: env('JWT_SECRET') } }, upload: { config: { provider: 'local' } } });\n// email is configured elsewhere\n", name: 'no email plugin' },
  ],
  invalid: [
    {
      name: 'only the nodemailer email provider in package.json (Strapi from the workspace root)',
      disk: { 'package.json': JSON.stringify({ name: 'cms', dependencies: { '@strapi/provider-email-nodemailer': '5.0.0' } }) },
      filename: 'config/plugins.js',
      code: v4("{ host: env('SMTP_HOST', 'smtp-mail.outlook.com'), auth: { user: env('SMTP_USERNAME'), pass: env('SMTP_PASSWORD') } }"),
      errors: [{ ...E, host: 'smtp-mail.outlook.com' }],
    },
    {
      name: 'Strapi 4/5 config/plugins.js, env() through .env',
      disk: PKG,
      filename: 'config/plugins.js',
      code: v4(ENV_OPTS),
      env: { '.env': 'SMTP_HOST=smtp.office365.com\nSMTP_USERNAME=app@contoso.com\nSMTP_PASSWORD=hunter2\n' },
      errors: [{ ...E, line: 5, related: ['SMTP_HOST=smtp.office365.com', 'SMTP_PASSWORD (value not shown)'] }],
    },
    {
      name: 'env() default is the Microsoft host, .env has no SMTP_HOST',
      disk: PKG,
      filename: 'config/plugins.ts',
      code: `export default ({ env }) => ({\n  email: { config: { provider: 'nodemailer', providerOptions: { host: env('SMTP_HOST', 'smtp.office365.com'), port: env.int('SMTP_PORT', 587), auth: { user: env('SMTP_USERNAME'), pass: env('SMTP_PASSWORD') } } } },\n});\n`,
      errors: [E],
    },
    {
      name: 'config/env/production/plugins.js, full provider package name',
      disk: PKG,
      filename: 'config/env/production/plugins.js',
      code: v4("{ service: 'Outlook365', auth: { user: env('SMTP_USERNAME'), pass: env('SMTP_PASSWORD', '') } }", "'@strapi/provider-email-nodemailer'"),
      errors: [E],
    },
    {
      name: 'Strapi 3 (no config level)',
      disk: PKG3,
      filename: 'config/plugins.js',
      code: "module.exports = ({ env }) => ({\n  email: {\n    provider: 'nodemailer',\n    providerOptions: { host: 'smtp.office365.com', port: 587, auth: { user: env('SMTP_USERNAME'), pass: env('SMTP_PASSWORD') } },\n  },\n});\n",
      errors: [{ ...E, line: 4 }],
    },
  ],
});
