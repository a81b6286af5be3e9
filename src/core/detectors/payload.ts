/**
 * Payload CMS: Payload 3 `nodemailerAdapter({ transportOptions })` (@payloadcms/email-nodemailer), Payload 2
 * `buildConfig({ email: { transportOptions } })` / `payload.init({ email: { transportOptions } })`.
 *
 * ❌ email: nodemailerAdapter({ transportOptions: { host: 'smtp.office365.com', auth: { user, pass } } })
 * ❌ payload.init({ email: { transportOptions: { host: process.env.SMTP_HOST, auth }, fromName, fromAddress } })
 * ✅ nodemailerAdapter() (ethereal preview), resendAdapter(...), OAuth2 auth
 */
import { nodemailerFacts, reportNodemailer } from './nodemailer';
import { prop } from './shared';
import type { Detector } from './types';

export const payloadEmail: Detector = {
  id: 'payload-email',
  reportAs: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  framework: 'Payload',
  autoFix: true,
  frameworkFix:
    "Payload passes `transportOptions` to nodemailer: give them `auth: { type: 'OAuth2', user, accessToken }` (a token from @azure/msal-node) instead of a password",
  packages: ['@payloadcms/email-nodemailer', 'payload'],
  matches: (s) =>
    !s.isNew &&
    ((s.pkg === '@payloadcms/email-nodemailer' && s.path.join('.') === 'nodemailerAdapter') ||
      (s.pkg === 'payload' && (s.sub === undefined || s.sub === 'config') && /^(buildConfig|init)$/.test(s.path.join('.')))),
  detect(site, ctx) {
    const arg = site.args[0];
    const given = arg && ctx.ev.evaluate(arg);
    const holder = site.pkg === 'payload' ? prop(ctx, given, 'email') : given;
    const options = prop(ctx, holder, 'transportOptions');
    const facts = options && nodemailerFacts(ctx, options);
    if (facts) {
      reportNodemailer({ ...this, framework: site.pkg === 'payload' ? 'Payload 2 email config' : 'Payload nodemailerAdapter' }, site, ctx, facts);
    }
  },
};
