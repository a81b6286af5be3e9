/**
 * What every detector shares: reading resolved options, picking the host, deciding "password auth",
 * and turning all of that into a Finding with related locations and fix hints.
 */
import { ts } from '../ts';
import { fixBlocker } from '../fixes/fixable';
import { FIXABLE_LIBRARIES } from '../fixes/libraries';
import { classifyHost, consequenceMessage, normalizeHost, severityFor } from '../hosts';
import type { FixHints, HostKind, RelatedLocation, SourceSpan } from '../model';
import { HOLE, type Val } from '../resolve';
import type { Detector, DetectorContext, Site } from './types';

/** 1-based span of a node (from its first token, not its leading trivia). */
export function spanOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): SourceSpan {
  const start = ts.isSourceFile(node) ? 0 : node.getStart(sf);
  const end = node.getEnd();
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return {
    file: sf.fileName,
    start,
    end,
    line: s.line + 1,
    column: s.character + 1,
    endLine: e.line + 1,
    endColumn: e.character + 1,
  };
}

/** Property of a resolved object; `undefined` when absent (or the object is not known). */
export function prop(ctx: DetectorContext, obj: Val | undefined, name: string): Val | undefined {
  if (!obj || obj.kind !== 'object') {
    return undefined;
  }
  const p = obj.props.get(name);
  return p ? p.get() : undefined;
}

/** The node that defines a property (for locations), if the object is known. */
export function propNode(obj: Val | undefined, name: string): ts.Node | undefined {
  return obj && obj.kind === 'object' ? obj.props.get(name)?.node : undefined;
}

/** A property is "set" when present and not literally `undefined`/`null`. Unknown values count as set. */
export function isSet(v: Val | undefined): boolean {
  return v !== undefined && !(v.kind === 'value' && v.value == null);
}

/**
 * A password login: the password is set. Placeholders count (`''`, `'changeme'`, `'<password>'`,
 * `'YOUR_PASSWORD'`): the config is waiting for a password, so it will log in with one. (Migrated
 * TypeScript keeps `password: ''` for the typings, but its client is wrapped in a provider hook:
 * isProviderHooked.)
 */
export function isPassword(v: Val | undefined): boolean {
  return isSet(v);
}

export function str(v: Val | undefined): string | undefined {
  return v && v.kind === 'value' && typeof v.value === 'string' ? v.value : undefined;
}

/** Candidate host strings of a value (conditional expressions give several). */
export function hostCandidates(v: Val | undefined): { host: string; val: Val }[] {
  if (!v) {
    return [];
  }
  if (v.kind === 'value' && typeof v.value === 'string' && v.value.trim()) {
    return [{ host: normalizeHost(v.value), val: v }];
  }
  if (v.kind === 'unknown' && v.alts) {
    return v.alts.flatMap(hostCandidates);
  }
  return [];
}

/** Everything a detector learned about one connection config. */
export interface ConnectionFacts {
  /** Host value, or a string host from a URL / well-known service. */
  host?: Val;
  /** A host fixed by something other than a plain value (URL, nodemailer service); overrides `host`. */
  hostOverride?: { host: string; node: ts.Node; why: string; val?: Val };
  user?: Val;
  password?: Val;
  /** Node of the password property/argument (for the Deprecated tag and the fix). */
  passwordNode?: ts.Node;
  authNode?: ts.Node;
  configNode?: ts.Node;
  /** Password-based login (password given, or LOGIN/PLAIN requested). */
  passwordAuth: boolean;
  /** OAuth2 already in use. */
  oauth: boolean;
  hints?: Partial<FixHints>;
}

export function moduleStyle(sf: ts.SourceFile): 'esm' | 'cjs' {
  if (/\.(mjs|mts)$/.test(sf.fileName)) {
    return 'esm';
  }
  if (/\.(cjs|cts)$/.test(sf.fileName)) {
    return 'cjs';
  }
  return sf.statements.some(
    (s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s),
  )
    ? 'esm'
    : 'cjs';
}

export function envVarsOf(v: Val | undefined): string[] {
  return v?.env ? [v.env.name] : [];
}

function related(ctx: DetectorContext, site: Site, v: Val | undefined, role: RelatedLocation['role'], what: string): RelatedLocation[] {
  if (!v) {
    return [];
  }
  const out: RelatedLocation[] = [];
  const siteSf = site.node.getSourceFile();
  const node = v.node;
  const nsf = node.getSourceFile();
  const inside = nsf === siteSf && node.getStart(nsf) >= site.node.getStart(siteSf) && node.getEnd() <= site.node.getEnd();
  if (!inside) {
    out.push({ ...spanOf(node, nsf), role, message: `${what} comes from here` });
  }
  if (v.env?.hit) {
    const h = v.env.hit;
    const text = role === 'password' ? `${v.env.name} (value not shown)` : `${v.env.name}=${h.value}`;
    out.push({
      file: h.file,
      start: h.start,
      end: h.end,
      line: h.line,
      column: 1,
      endLine: h.line,
      endColumn: h.end - h.start + 1,
      role,
      message: `${what} is set in ${h.file.split(/[\\/]/).pop()}${h.template ? ' (template)' : ''}: ${text}`,
    });
  }
  return out;
}

/**
 * Reports a finding when the facts describe a password login to a Microsoft host. Returns quietly for
 * OAuth configs, non-Microsoft hosts and configs without a password.
 */
export function reportConnection(detector: Detector, site: Site, ctx: DetectorContext, facts: ConnectionFacts): void {
  if (!facts.passwordAuth || facts.oauth || isProviderHooked(site.node, ctx.sourceFile, detector.library)) {
    return;
  }
  const sf = ctx.sourceFile;
  const code = detector.reportAs ?? detector.id;
  const label = detector.framework ? `${detector.library} via ${detector.framework}` : detector.library;
  let host: string | undefined;
  let kind: HostKind | undefined;
  let hostRelated: RelatedLocation[] = [];
  if (facts.hostOverride) {
    host = normalizeHost(facts.hostOverride.host);
    kind = classifyHost(host, ctx.options.extraHosts);
    const n = facts.hostOverride.node;
    hostRelated = [{ ...spanOf(n), role: 'host', message: `${facts.hostOverride.why} ${host}` }];
    const v = facts.hostOverride.val;
    if (v?.env) {
      // The URL may carry the password: show the variable name and line, never the value.
      hostRelated.push(...related(ctx, site, { ...v, env: { ...v.env, name: v.env.name } }, 'password', 'the connection URL'));
    }
  } else {
    const cands = hostCandidates(facts.host);
    if (cands.length === 0) {
      if (ctx.options.reportUnresolved) {
        ctx.report({
          code: 'unresolved-mail-host',
          library: detector.library,
          protocol: detector.protocol,
          host: undefined,
          hostKind: undefined,
          severity: 'info',
          message: `${label} logs in with a password to a host that could not be resolved statically${facts.host?.env ? ` (${facts.host.env.name} is not set in any .env file)` : ''}. If it is Exchange Online or Outlook.com, this login will stop working; switch to OAuth2 (XOAUTH2).`,
          span: spanOf(site.node, sf),
          related: related(ctx, site, facts.host, 'host', 'the host'),
          fixable: false,
          mailbox: mailboxOf(facts.user),
          fix: { moduleStyle: moduleStyle(sf), passwordEnvVars: envVarsOf(facts.password) },
        });
      }
      return;
    }
    const hit = cands.find((c) => classifyHost(c.host, ctx.options.extraHosts) !== undefined);
    if (!hit) {
      return;
    }
    host = hit.host;
    kind = classifyHost(hit.host, ctx.options.extraHosts);
    hostRelated = related(ctx, site, hit.val, 'host', `host '${host}'`);
  }
  if (!kind || !host) {
    return;
  }
  const rel: RelatedLocation[] = [...hostRelated];
  if (facts.passwordNode) {
    rel.push({ ...spanOf(facts.passwordNode), role: 'password', message: 'password login: replace with an OAuth2 access token' });
  }
  rel.push(...related(ctx, site, facts.password, 'password', 'the password'));
  rel.push(...related(ctx, site, facts.user, 'user', 'the user name'));
  const userNode = facts.user?.node;
  // Framework configs without an automatic fix say what to change instead.
  const manualOnly = detector.frameworkFix !== undefined && !detector.autoFix;
  const blocker = manualOnly ? detector.frameworkFix : fixBlocker(detector.library, site.node, facts.passwordNode, facts.hints?.viaUrl === true);
  const fixable = !manualOnly && FIXABLE_LIBRARIES.has(detector.library) && blocker === undefined;
  ctx.report({
    code,
    library: detector.library,
    protocol: detector.protocol,
    host,
    hostKind: kind,
    severity: severityFor(detector.protocol, kind, ctx.options.now),
    message: consequenceMessage(detector.protocol, kind, host, label) + (detector.manual ? ` ${detector.manual}` : ''),
    span: spanOf(site.node, sf),
    related: dedupe(rel),
    fixable,
    mailbox: mailboxOf(facts.user),
    fix: {
      configSpan: facts.configNode ? spanOf(facts.configNode) : undefined,
      authSpan: facts.authNode ? spanOf(facts.authNode) : undefined,
      passwordSpan: facts.passwordNode ? spanOf(facts.passwordNode) : undefined,
      userText: userNode && !ts.isSourceFile(userNode) ? userNode.getText() : undefined,
      moduleStyle: moduleStyle(sf),
      passwordEnvVars: envVarsOf(facts.password),
      manual: detector.manual ?? (manualOnly ? detector.frameworkFix : blocker ? `Automatic fix unavailable: ${blocker}.` : undefined),
      framework: detector.framework,
      ...facts.hints,
    },
  });
}

/** The user name a login uses, when known: placeholders from .env templates and partial values do not count. */
function mailboxOf(v: Val | undefined): string | undefined {
  const s = str(v)?.trim();
  return s && !v?.env?.hit?.template && !s.includes(HOLE) ? s : undefined;
}

function dedupe(rel: RelatedLocation[]): RelatedLocation[] {
  const seen = new Set<string>();
  return rel.filter((r) => {
    const k = `${r.file}:${r.line}:${r.role}`;
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

/** The common IMAP/POP shape: flat `{ host, user, password, xoauth2 }` options (node-imap and friends). */
export function flatFacts(
  ctx: DetectorContext,
  opts: Val,
  keys: { host: string[]; user: string[]; password: string[]; oauth: string[] },
): ConnectionFacts {
  const pick = (names: string[]): { v?: Val; name?: string } => {
    for (const n of names) {
      const v = prop(ctx, opts, n);
      if (v !== undefined) {
        return { v, name: n };
      }
    }
    return {};
  };
  const host = pick(keys.host);
  const user = pick(keys.user);
  const password = pick(keys.password);
  const oauth = keys.oauth.some((k) => isSet(prop(ctx, opts, k)));
  return {
    host: host.v,
    user: user.v,
    password: password.v,
    passwordNode: password.name ? propNode(opts, password.name) : undefined,
    configNode: opts.kind === 'object' ? opts.node : undefined,
    // `password: ''` is what a fix leaves in TypeScript (see isPassword); other placeholders count.
    passwordAuth: isPassword(password.v),
    oauth,
  };
}

/**
 * The client logs in through a hook of the generated token provider (mail-oauth-token), which replaces the
 * password with a token at every login: `withImapOAuth2(new Imap({ user, password: '' }))` (TypeScript keeps the
 * key the typings require), `imaps.connect(await withImapSimpleOAuth2(options))` or
 * `withImapSimpleOAuth2(options).then((o) => imaps.connect(o))`.
 */
export function isProviderHooked(node: ts.Node, sf: ts.SourceFile, library: string): boolean {
  const hooks = providerImports(sf);
  if (!hooks.size) {
    return false;
  }
  const isHook = (e: ts.Node | undefined): boolean =>
    !!e && ts.isCallExpression(e) && ts.isIdentifier(e.expression) && hooks.has(e.expression.text);
  let n: ts.Node = node;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) {
    n = n.parent;
  }
  if (isHook(n.parent) && (n.parent as ts.CallExpression).arguments[0] === n) {
    return true;
  }
  if (library === 'node-pop3' && hooks.has('pop3XOAuth2Login')) {
    return true; // an earlier version of the fix: node-pop3 logs in by command (AUTH XOAUTH2) after creation
  }
  if (ts.isCallExpression(node) && node.arguments.some((a) => isHook(ts.isAwaitExpression(a) ? a.expression : a))) {
    return true;
  }
  const fn = node.parent;
  const then = fn && ts.isArrowFunction(fn) ? fn.parent : undefined;
  return !!then && ts.isCallExpression(then) && ts.isPropertyAccessExpression(then.expression) && then.expression.name.text === 'then' && isHook(then.expression.expression);
}

const hookCache = new WeakMap<ts.SourceFile, Set<string>>();

/** The `with…OAuth2` names a file imports or requires from the generated provider module. */
function providerImports(sf: ts.SourceFile): Set<string> {
  let names = hookCache.get(sf);
  if (!names) {
    names = new Set();
    if (sf.text.includes('mail-oauth-token')) {
      for (const st of sf.statements) {
        const text = st.getText(sf);
        if ((ts.isImportDeclaration(st) || ts.isVariableStatement(st)) && /mail-oauth-token/.test(text)) {
          for (const m of text.matchAll(/\b(with\w*OAuth2|pop3XOAuth2Login)\b/g)) {
            names.add(m[1]);
          }
        }
      }
    }
    hookCache.set(sf, names);
  }
  return names;
}
