/**
 * nodejs-nodemailer-outlook: `sendEmail({ auth: { user, pass }, ... })` creates a nodemailer transport to
 * `options.host || 'smtp.office365.com'` (the package's own code) with the given auth.
 *
 * ❌ nodeoutlook.sendEmail({ auth: { user: 'me@contoso.com', pass }, from, to, subject })
 * ✅ nodeoutlook.sendEmail({ host: 'smtp.gmail.com', auth, ... })   // not Microsoft
 */
import { nodemailerFacts, reportNodemailer } from './nodemailer';
import { prop } from './shared';
import type { Detector } from './types';

export const nodemailerOutlook: Detector = {
  id: 'nodejs-nodemailer-outlook',
  reportAs: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  framework: 'nodejs-nodemailer-outlook',
  frameworkFix:
    "nodejs-nodemailer-outlook only passes `auth` through to nodemailer: replace the sendEmail call with nodemailer.createTransport({ host: 'smtp.office365.com', port: 587, auth: { type: 'OAuth2', user, accessToken } }) and transporter.sendMail (then `mail-oauth-migrate fix` can rewrite it)",
  packages: ['nodejs-nodemailer-outlook'],
  matches: (s) => s.pkg === 'nodejs-nodemailer-outlook' && !s.isNew && s.path.join('.') === 'sendEmail',
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    const facts = opts && nodemailerFacts(ctx, opts);
    if (!facts || !arg) {
      return;
    }
    // `host: options.host || 'smtp.office365.com'`: the package's default when no host is given.
    const host = prop(ctx, opts, 'host');
    if (!facts.hostOverride && (host === undefined || (host.kind === 'value' && !host.value))) {
      facts.host = undefined;
      facts.hostOverride = { host: 'smtp.office365.com', node: arg, why: 'nodejs-nodemailer-outlook connects by default to' };
    }
    reportNodemailer(this, site, ctx, facts);
  },
};
