/**
 * NextAuth / Auth.js email sign-in: the provider hands `server` to nodemailer's createTransport.
 *
 * ❌ EmailProvider({ server: { host: 'smtp.office365.com', auth: { user, pass } } })   // next-auth/providers/email (v4)
 * ❌ Providers.Email({ server: 'smtp://user:pass@smtp.office365.com:587' })            // next-auth/providers (v3)
 * ❌ Nodemailer({ server: process.env.EMAIL_SERVER })   // .env: EMAIL_SERVER=smtp://u:p@smtp.office365.com:587 (Auth.js)
 * ✅ EmailProvider({ server: { host: 'smtp.office365.com', auth: { type: 'OAuth2', user, accessToken } } })
 * ✅ Resend / SendGrid providers, Gmail, `server: { jsonTransport: true }`
 */
import { nodemailerFacts, reportNodemailer } from './nodemailer';
import { prop } from './shared';
import type { Detector } from './types';

export const nextAuthEmailProvider: Detector = {
  id: 'next-auth-email-provider',
  reportAs: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  framework: 'NextAuth',
  autoFix: true,
  frameworkFix:
    "NextAuth passes the provider's `server` to nodemailer: make it an options object with `auth: { type: 'OAuth2', user, accessToken }` (a token from @azure/msal-node, scope https://outlook.office365.com/.default) instead of a password or a smtp://user:pass@ URL",
  packages: ['next-auth/providers/email', 'next-auth/providers/nodemailer', 'next-auth/providers', '@auth/core/providers/nodemailer'],
  matches: (s) =>
    !s.isNew &&
    ((s.pkg === 'next-auth' &&
      (((s.sub === 'providers/email' || s.sub === 'providers/nodemailer') && s.path.length === 0) ||
        (s.sub === 'providers' && s.path.join('.') === 'Email'))) ||
      (s.pkg === '@auth/core' && s.sub === 'providers/nodemailer' && s.path.length === 0)),
  detect(site, ctx) {
    const arg = site.args[0];
    const server = arg && prop(ctx, ctx.ev.evaluate(arg), 'server');
    const facts = server && nodemailerFacts(ctx, server);
    if (facts) {
      const framework = site.sub === 'providers/email' || site.sub === 'providers' ? 'NextAuth EmailProvider' : 'Auth.js Nodemailer provider';
      reportNodemailer({ ...this, framework }, site, ctx, facts);
    }
  },
};
