/**
 * emailjs `new SMTPClient({ user, password, host, authentication })` (and the 2.x `server.connect`).
 *
 * ❌ new SMTPClient({ user, password, host: 'smtp.office365.com', tls: true })
 * ✅ new SMTPClient({ user, password: token, host: 'smtp.office365.com', authentication: ['XOAUTH2'] })
 */
import { isPassword, prop, propNode, reportConnection } from './shared';
import type { Detector, Val } from './types';

/** `authentication` restricted to XOAUTH2 only (string or `AUTH_METHODS.XOAUTH2`). */
function xoauth2Only(v: Val | undefined): boolean {
  if (!v || v.kind !== 'array' || v.items.length === 0) {
    return false;
  }
  return v.items.every(
    (i) =>
      (i.kind === 'value' && String(i.value).toUpperCase() === 'XOAUTH2') ||
      (i.kind === 'module' && i.path[i.path.length - 1] === 'XOAUTH2'),
  );
}

export const emailjsPasswordAuth: Detector = {
  id: 'emailjs-password-auth',
  library: 'emailjs',
  protocol: 'smtp',
  packages: ['emailjs'],
  matches: (s) =>
    s.pkg === 'emailjs' &&
    ((s.isNew && s.path.length === 1 && (s.path[0] === 'SMTPClient' || s.path[0] === 'SMTPConnection')) ||
      (s.path.join('.') === 'server.connect' && !s.isNew)),
  detect(site, ctx) {
    const arg = site.args[0];
    if (!arg) {
      return;
    }
    const opts = ctx.ev.evaluate(arg);
    if (opts.kind !== 'object') {
      return;
    }
    const password = prop(ctx, opts, 'password');
    reportConnection(this, site, ctx, {
      host: prop(ctx, opts, 'host'),
      user: prop(ctx, opts, 'user'),
      password,
      passwordNode: propNode(opts, 'password'),
      configNode: opts.node,
      passwordAuth: isPassword(password),
      oauth: xoauth2Only(prop(ctx, opts, 'authentication')),
    });
  },
};
