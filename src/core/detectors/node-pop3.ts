/**
 * node-pop3: `new Pop3Command({ user, password, host })`. The library only speaks USER/PASS; the fix
 * sends `AUTH XOAUTH2` through `command()` and a NOOP to surface a failed login.
 *
 * ❌ new Pop3Command({ user, password, host: 'outlook.office365.com', port: 995, tls: true })
 */
import { flatFacts, reportConnection } from './shared';
import type { Detector } from './types';

export const nodePop3PasswordAuth: Detector = {
  id: 'node-pop3-password-auth',
  library: 'node-pop3',
  protocol: 'pop3',
  packages: ['node-pop3'],
  matches: (s) => s.pkg === 'node-pop3' && s.isNew && (s.path.length === 0 || s.path.join('.') === 'Pop3Command'),
  detect(site, ctx) {
    const arg = site.args[0];
    const opts = arg && ctx.ev.evaluate(arg);
    if (opts && opts.kind === 'object') {
      reportConnection(this, site, ctx, flatFacts(ctx, opts, { host: ['host'], user: ['user'], password: ['password'], oauth: [] }));
    }
  },
};
