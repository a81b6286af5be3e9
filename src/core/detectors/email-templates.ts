/**
 * email-templates: `new Email({ transport, send })`; `transport` is nodemailer options (or a transport,
 * which the nodemailer rule reports where it is created).
 *
 * ❌ new Email({ transport: { host: 'smtp.office365.com', auth: { user, pass } }, send: true })
 * ✅ new Email({ transport: { jsonTransport: true } }), `send: false` (preview only), OAuth2 auth
 */
import { nodemailerFacts, reportNodemailer } from './nodemailer';
import { prop } from './shared';
import type { Detector } from './types';

export const emailTemplates: Detector = {
  id: 'email-templates',
  reportAs: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  framework: 'email-templates',
  autoFix: true,
  frameworkFix:
    "email-templates passes `transport` to nodemailer: give it `auth: { type: 'OAuth2', user, accessToken }` (a token from @azure/msal-node) instead of a password",
  packages: ['email-templates'],
  matches: (s) => s.pkg === 'email-templates' && s.isNew && (s.path.length === 0 || s.path.join('.') === 'Email'),
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    const send = prop(ctx, opts, 'send');
    // Preview-only (`send: false`) never opens the transport.
    if (!opts || (send?.kind === 'value' && send.value === false)) {
      return;
    }
    const transport = prop(ctx, opts, 'transport');
    const facts = transport && nodemailerFacts(ctx, transport);
    if (facts) {
      reportNodemailer(this, site, ctx, facts);
    }
  },
};
