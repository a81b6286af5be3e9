/**
 * imapflow `new ImapFlow({ host, auth: { user, pass } })`.
 *
 * ❌ new ImapFlow({ host: 'outlook.office365.com', auth: { user, pass } })
 * ✅ new ImapFlow({ host: 'outlook.office365.com', auth: { user, accessToken } })
 */
import { isPassword, isSet, prop, propNode, reportConnection } from './shared';
import type { Detector } from './types';

export const imapflowPasswordAuth: Detector = {
  id: 'imapflow-password-auth',
  library: 'imapflow',
  protocol: 'imap',
  packages: ['imapflow'],
  matches: (s) => s.pkg === 'imapflow' && s.isNew && (s.path.length === 0 || s.path.join('.') === 'ImapFlow'),
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    if (!opts || opts.kind !== 'object') {
      return;
    }
    const auth = prop(ctx, opts, 'auth');
    const pass = prop(ctx, auth, 'pass');
    reportConnection(this, site, ctx, {
      host: prop(ctx, opts, 'host'),
      user: prop(ctx, auth, 'user'),
      password: pass,
      passwordNode: propNode(auth, 'pass'),
      authNode: propNode(opts, 'auth'),
      configNode: opts.node,
      passwordAuth: isPassword(pass),
      oauth: isSet(prop(ctx, auth, 'accessToken')),
    });
  },
};
