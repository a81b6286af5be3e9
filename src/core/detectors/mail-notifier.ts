/**
 * mail-notifier: `notifier({ user, password, host })` (node-imap options).
 *
 * ❌ notifier({ user, password, host: 'outlook.office365.com', port: 993, tls: true }).start()
 * ✅ notifier({ user, xoauth2, host: 'outlook.office365.com', port: 993, tls: true }).start()
 */
import { flatFacts, reportConnection } from './shared';
import { IMAP_KEYS } from './imap';
import type { Detector } from './types';

export const mailNotifierPasswordAuth: Detector = {
  id: 'mail-notifier-password-auth',
  library: 'mail-notifier',
  protocol: 'imap',
  packages: ['mail-notifier'],
  matches: (s) => s.pkg === 'mail-notifier' && s.path.length === 0,
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    if (opts && opts.kind === 'object') {
      reportConnection(this, site, ctx, flatFacts(ctx, opts, IMAP_KEYS));
    }
  },
};
