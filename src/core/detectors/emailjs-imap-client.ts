/**
 * emailjs-imap-client: `new ImapClient(host, port, { auth: { user, pass, xoauth2 } })` (host is positional).
 *
 * ❌ new ImapClient('outlook.office365.com', 993, { auth: { user, pass } })
 * ✅ new ImapClient('outlook.office365.com', 993, { auth: { user, xoauth2: accessToken } })
 */
import { isPassword, isSet, prop, propNode, reportConnection } from './shared';
import type { Detector } from './types';

export const emailjsImapClientPasswordAuth: Detector = {
  id: 'emailjs-imap-client-password-auth',
  library: 'emailjs-imap-client',
  protocol: 'imap',
  packages: ['emailjs-imap-client'],
  matches: (s) => s.pkg === 'emailjs-imap-client' && s.isNew && (s.path.length === 0 || s.path.join('.') === 'ImapClient'),
  detect(site, ctx) {
    const [hostArg, , optsArg] = site.args;
    if (!hostArg || !optsArg) {
      return;
    }
    const opts = ctx.ev.evaluate(optsArg);
    const auth = prop(ctx, opts, 'auth');
    const pass = prop(ctx, auth, 'pass');
    reportConnection(this, site, ctx, {
      host: ctx.ev.evaluate(hostArg),
      user: prop(ctx, auth, 'user'),
      password: pass,
      passwordNode: propNode(auth, 'pass'),
      authNode: propNode(opts, 'auth'),
      configNode: opts.kind === 'object' ? opts.node : undefined,
      passwordAuth: isPassword(pass),
      oauth: isSet(prop(ctx, auth, 'xoauth2')),
    });
  },
};
