/**
 * mail-listener2 / mail-listener5 (and forks): `new MailListener({ username, password, host, xoauth2 })`.
 *
 * ❌ new MailListener({ username, password, host: 'outlook.office365.com', port: 993, tls: true })
 * ✅ new MailListener({ username, xoauth2, host: 'outlook.office365.com', port: 993, tls: true })
 */
import { flatFacts, reportConnection } from './shared';
import type { Detector } from './types';

import { MAIL_LISTENER_PACKAGES as PACKAGES } from '../rule-meta';

export const mailListenerPasswordAuth: Detector = {
  id: 'mail-listener-password-auth',
  library: 'mail-listener',
  protocol: 'imap',
  packages: PACKAGES,
  matches: (s) => PACKAGES.includes(s.pkg) && s.isNew && (s.path.length === 0 || s.path.join('.') === 'MailListener'),
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    if (opts && opts.kind === 'object') {
      reportConnection(
        this,
        site,
        ctx,
        flatFacts(ctx, opts, { host: ['host'], user: ['username', 'user'], password: ['password'], oauth: ['xoauth2', 'xoauth'] }),
      );
    }
  },
};
