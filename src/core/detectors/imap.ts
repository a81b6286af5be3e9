/**
 * node-imap (`imap`): `new Imap({ user, password, host, xoauth2 })`.
 *
 * ❌ new Imap({ user, password, host: 'outlook.office365.com', tls: true })
 * ✅ new Imap({ user, xoauth2: buildXOAuth2(user, token), host: 'outlook.office365.com', tls: true })
 */
import { flatFacts, reportConnection } from './shared';
import type { Detector } from './types';

export const IMAP_KEYS = { host: ['host'], user: ['user'], password: ['password'], oauth: ['xoauth2', 'xoauth'] };

export const imapPasswordAuth: Detector = {
  id: 'imap-password-auth',
  library: 'imap',
  protocol: 'imap',
  packages: ['imap'],
  matches: (s) => s.pkg === 'imap' && s.isNew && (s.path.length === 0 || s.path.join('.') === 'Imap'),
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    if (opts && opts.kind === 'object') {
      reportConnection(this, site, ctx, flatFacts(ctx, opts, IMAP_KEYS));
    }
  },
};
