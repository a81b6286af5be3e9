/**
 * imap-simple `connect({ imap: { user, password, host } })` (node-imap options under `imap`).
 *
 * ❌ imaps.connect({ imap: { user, password, host: 'outlook.office365.com', port: 993, tls: true } })
 * ✅ imaps.connect({ imap: { user, xoauth2, host: 'outlook.office365.com', port: 993, tls: true } })
 */
import { flatFacts, prop, propNode, reportConnection } from './shared';
import { IMAP_KEYS } from './imap';
import type { Detector } from './types';

export const imapSimplePasswordAuth: Detector = {
  id: 'imap-simple-password-auth',
  library: 'imap-simple',
  protocol: 'imap',
  packages: ['imap-simple'],
  matches: (s) => s.pkg === 'imap-simple' && !s.isNew && s.path.join('.') === 'connect',
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    const imap = prop(ctx, opts, 'imap');
    if (imap && imap.kind === 'object') {
      const facts = flatFacts(ctx, imap, IMAP_KEYS);
      reportConnection(this, site, ctx, { ...facts, authNode: propNode(opts, 'imap') });
    }
  },
};
