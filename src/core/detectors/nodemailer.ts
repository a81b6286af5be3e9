/**
 * nodemailer `createTransport(options | url)` and the `nodemailer-smtp-transport` wrapper.
 *
 * ❌ createTransport({ host: 'smtp.office365.com', auth: { user, pass } })
 * ❌ createTransport('smtps://user:pass@smtp.office365.com')
 * ❌ createTransport({ service: 'Outlook365', auth: { user, pass } })   // well-known service → smtp.office365.com
 * ❌ createTransport('SMTP', { host: 'smtp.office365.com', auth: { user, pass } })   // nodemailer 0.x
 * ✅ createTransport({ host: 'smtp.office365.com', auth: { type: 'OAuth2', user } })
 * ℹ createTransport({ service: 'Office365', auth })   // not a well-known name: nodemailer uses `host` (localhost)
 */
import { ts } from '../ts';
import { lookupNodemailerService, normalizeHost } from '../hosts';
import { HOLE } from '../resolve';
import { hostCandidates, isPassword, isSet, moduleStyle, prop, propNode, reportConnection, spanOf, str, type ConnectionFacts } from './shared';
import type { CallSite, Detector, DetectorContext, Site, Val } from './types';

/** Rule code of a `service` that names Microsoft but is not one of nodemailer's well-known names. */
export const UNKNOWN_SERVICE_RULE = 'nodemailer-unknown-service';
/** Service names that mean Microsoft to a reader (nodemailer's own names are looked up first). */
const MICROSOFT_SERVICE = /office\s*-?\s*365|outlook|hotmail|exchange|microsoft|\bm365\b|\bo365\b|live\.com/i;

/** nodemailer facts plus what `service` said when nodemailer does not know it. */
export interface NodemailerFacts extends ConnectionFacts {
  unknownService?: { name: string; node: ts.Node };
}

/** Reads nodemailer SMTP options exactly as SMTPTransport does: options, then URL data, then well-known service. */
export function nodemailerFacts(ctx: DetectorContext, opts: Val): NodemailerFacts | undefined {
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
  const facts: NodemailerFacts = { passwordAuth: false, oauth: false, configNode: opts.kind === 'object' ? opts.node : undefined };
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
      } else if (MICROSOFT_SERVICE.test(service)) {
        facts.unknownService = { name: service, node: svcVal?.node ?? opts.node };
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

/**
 * Reports a nodemailer config: the password login (nodemailer-password-auth, or the detector's own
 * code) and, separately at info level, a `service` that names Microsoft but that nodemailer ignores.
 */
export function reportNodemailer(detector: Detector, site: Site, ctx: DetectorContext, facts: NodemailerFacts): void {
  reportConnection(detector, site, ctx, facts);
  const svc = facts.unknownService;
  if (!svc) {
    return;
  }
  const sf = ctx.sourceFile;
  const hosts = facts.hostOverride ? [normalizeHost(facts.hostOverride.host)] : hostCandidates(facts.host).map((c) => c.host);
  const target = hosts.length === 1 ? hosts[0] : facts.host ? 'the `host` option' : 'localhost (no `host` is set)';
  const via = detector.framework ? ` (via ${detector.framework})` : '';
  ctx.report({
    code: UNKNOWN_SERVICE_RULE,
    library: 'nodemailer',
    protocol: 'smtp',
    host: hosts.length === 1 ? hosts[0] : undefined,
    hostKind: undefined,
    severity: 'info',
    message: `nodemailer${via} does not know the service '${svc.name}': it ignores it and connects to ${target}. The well-known name for Exchange Online is 'Outlook365' (smtp.office365.com:587); for Outlook.com it is 'hotmail'. If this is meant to be Exchange Online, its password login will also stop working: switch to OAuth2 (XOAUTH2).`,
    span: spanOf(svc.node, sf),
    related: [],
    fixable: false,
    fix: {
      moduleStyle: moduleStyle(sf),
      passwordEnvVars: [],
      manual: `Replace service '${svc.name}' with 'Outlook365' (or set host: 'smtp.office365.com', port: 587).`,
      framework: detector.framework,
    },
  });
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
    let arg = site.args[0];
    // The wrapper call is reported by its own detector; reporting it here too would double up.
    if (!arg || isSmtpTransportWrapper(ctx, arg)) {
      return;
    }
    let opts = ctx.ev.evaluate(arg);
    // nodemailer 0.x: createTransport('SMTP', options); other transport names ('SES', 'sendmail') are not SMTP logins.
    const name = site.args.length > 1 ? str(opts) : undefined;
    if (name !== undefined && /^[a-z]+$/i.test(name)) {
      if (name.toUpperCase() !== 'SMTP') {
        return;
      }
      arg = site.args[1];
      opts = ctx.ev.evaluate(arg);
    }
    const facts = nodemailerFacts(ctx, opts);
    if (facts) {
      reportNodemailer(this, site, ctx, facts);
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
      reportNodemailer(this, site, ctx, facts);
    }
  },
};
