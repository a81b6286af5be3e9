/**
 * nodejs-nodemailer-outlook: `sendEmail({ auth: { user, pass }, ... })` creates a nodemailer transport to
 * `options.host || 'smtp.office365.com'` (the package's own code) with the given auth.
 *
 * ❌ nodeoutlook.sendEmail({ auth: { user: 'me@contoso.com', pass }, from, to, subject })
 * ✅ nodeoutlook.sendEmail({ host: 'smtp.gmail.com', auth, ... })   // not Microsoft
 * ✅ sendOutlookEmail({ auth: { user: 'me@contoso.com' }, from, to, subject })   // the fix (nodemailer-outlook.fix.ts)
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
    "nodejs-nodemailer-outlook throws without auth.pass, so OAuth2 cannot pass through it: `mail-oauth-migrate fix` replaces sendEmail(options) with sendOutlookEmail(options) from the generated mail-oauth-token module (the same nodemailer send to smtp.office365.com:587, logging in with OAuth2) and removes auth.pass",
  autoFix: true,
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
