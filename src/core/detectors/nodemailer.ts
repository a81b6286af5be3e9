/**
 * nodemailer `createTransport(options | url)` and the `nodemailer-smtp-transport` wrapper.
 *
 * ❌ createTransport({ host: 'smtp.office365.com', auth: { user, pass } })
 * ❌ createTransport('smtps://user:pass@smtp.office365.com')
 * ❌ createTransport({ service: 'Outlook365', auth: { user, pass } })   // well-known service → smtp.office365.com
 * ✅ createTransport({ host: 'smtp.office365.com', auth: { type: 'OAuth2', user } })
 */
import { ts } from '../ts';
import { lookupNodemailerService } from '../hosts';
import { HOLE } from '../resolve';
import { isPassword, isSet, prop, propNode, reportConnection, str, type ConnectionFacts } from './shared';
import type { CallSite, Detector, DetectorContext, Val } from './types';

/** Reads nodemailer SMTP options exactly as SMTPTransport does: options, then URL data, then well-known service. */
export function nodemailerFacts(ctx: DetectorContext, opts: Val): ConnectionFacts | undefined {
  let urlText: string | undefined;
  let urlNode: ts.Node | undefined;
  if (opts.kind === 'value' && typeof opts.value === 'string') {
    urlText = opts.value;
    urlNode = opts.node;
  } else if (opts.kind === 'unknown' && opts.partial) {
    // `smtp://user:${pass}@host`: the unknown parts may be credentials, never the host we report.
    urlText = opts.partial.split(HOLE).join('x');
    urlNode = opts.node;
    const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(opts.partial)?.[1] ?? '';
    if (authority.slice(authority.lastIndexOf('@') + 1).includes(HOLE)) {
      return undefined;
    }
  } else if (opts.kind === 'object') {
    const u = prop(ctx, opts, 'url');
    urlText = str(u);
    urlNode = u?.node;
  } else {
    return undefined;
  }
  const facts: ConnectionFacts = { passwordAuth: false, oauth: false, configNode: opts.kind === 'object' ? opts.node : undefined };
  let service: string | undefined;
  if (urlText !== undefined && urlNode) {
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      return undefined;
    }
    if (!/^smtps?:$/.test(url.protocol) && url.protocol !== 'direct:') {
      return undefined;
    }
    service = url.searchParams.get('service') ?? undefined;
    if (url.hostname) {
      facts.hostOverride = { host: url.hostname, node: urlNode, why: 'connection URL points at', val: opts.kind === 'object' ? prop(ctx, opts, 'url') : opts };
    }
    if (url.password) {
      facts.passwordAuth = true;
      facts.passwordNode = urlNode;
      facts.hints = { viaUrl: true, userText: url.username ? `'${decodeURIComponent(url.username).replace(/'/g, "\\'")}'` : undefined };
    }
    facts.user = url.username ? { kind: 'value', value: decodeURIComponent(url.username), node: urlNode } : undefined;
  }
  if (opts.kind === 'object') {
    if (!facts.hostOverride) {
      facts.host = prop(ctx, opts, 'host');
    }
    const svcVal = prop(ctx, opts, 'service');
    service = str(svcVal) ?? service;
    if (service) {
      const known = lookupNodemailerService(service);
      // A known service overrides `host` (nodemailer assigns well-known options last).
      if (known) {
        facts.hostOverride = { host: known.host, node: svcVal?.node ?? opts.node, why: `well-known service '${service}' is` };
        facts.hints = { ...facts.hints, service };
      }
    }
    const auth = prop(ctx, opts, 'auth');
    if (auth && auth.kind === 'object') {
      facts.authNode = propNode(opts, 'auth');
      const type = str(prop(ctx, auth, 'type'))?.toUpperCase();
      facts.oauth = type === 'OAUTH2' || isSet(prop(ctx, auth, 'accessToken'));
      const pass = prop(ctx, auth, 'pass');
      facts.user = prop(ctx, auth, 'user') ?? facts.user;
      if (isPassword(pass) || type === 'LOGIN' || type === 'PLAIN') {
        facts.passwordAuth = true;
        facts.password = pass;
        facts.passwordNode = propNode(auth, 'pass') ?? propNode(opts, 'auth');
      }
    }
  }
  return facts;
}

function isSmtpTransportWrapper(ctx: DetectorContext, arg: ts.Expression | undefined): boolean {
  if (!arg || !ts.isCallExpression(arg)) {
    return false;
  }
  const callee = ctx.ev.evaluate(arg.expression);
  return callee.kind === 'module' && callee.pkg === 'nodemailer-smtp-transport';
}

export const nodemailerPasswordAuth: Detector = {
  id: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  packages: ['nodemailer'],
  matches: (s) => s.pkg === 'nodemailer' && s.path.length === 1 && s.path[0] === 'createTransport' && !s.isNew,
  detect(site: CallSite, ctx: DetectorContext) {
    const arg = site.args[0];
    // The wrapper call is reported by its own detector; reporting it here too would double up.
    if (!arg || isSmtpTransportWrapper(ctx, arg)) {
      return;
    }
    const facts = nodemailerFacts(ctx, ctx.ev.evaluate(arg));
    if (facts) {
      reportConnection(this, site, ctx, facts);
    }
  },
};

export const nodemailerSmtpTransportPasswordAuth: Detector = {
  id: 'nodemailer-smtp-transport-password-auth',
  library: 'nodemailer-smtp-transport',
  protocol: 'smtp',
  packages: ['nodemailer-smtp-transport'],
  matches: (s) => s.pkg === 'nodemailer-smtp-transport' && s.path.length === 0,
  detect(site, ctx) {
    const arg = site.args[0];
    const facts = arg && nodemailerFacts(ctx, ctx.ev.evaluate(arg));
    if (facts) {
      reportConnection(this, site, ctx, facts);
    }
  },
};
