/**
 * yapople: `new Client({ hostname, username, password })`. It only speaks USER/PASS and has no XOAUTH2,
 * so the finding carries a manual migration guide instead of a rewrite.
 *
 * ❌ new Client({ hostname: 'outlook.office365.com', port: 995, tls: true, username, password })
 */
import { flatFacts, reportConnection } from './shared';
import type { Detector } from './types';

import { POP3_MANUAL } from '../rule-meta';

export const yapoplePasswordAuth: Detector = {
  id: 'yapople-password-auth',
  library: 'yapople',
  protocol: 'pop3',
  packages: ['yapople'],
  manual: POP3_MANUAL,
  matches: (s) => s.pkg === 'yapople' && s.isNew && (s.path.length === 0 || s.path.join('.') === 'Client'),
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    if (opts && opts.kind === 'object') {
      reportConnection(
        this,
        site,
        ctx,
        flatFacts(ctx, opts, { host: ['hostname', 'host'], user: ['username', 'user'], password: ['password'], oauth: [] }),
      );
    }
  },
};
