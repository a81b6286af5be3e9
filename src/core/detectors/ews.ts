/**
 * Exchange Web Services with a password: `ews-javascript-api` (`service.Credentials = new WebCredentials(user,
 * pass)` or `ExchangeCredentials`, with `service.Url` on an Exchange Online host) and `node-ews` (`new EWS({
 * username, password, host })`, any `auth` mode). Basic auth for EWS in Exchange Online has been off since the
 * October 2022 wave, and EWS itself is blocked from 1 Oct 2026 and retired on 1 Apr 2027: the way out is
 * Microsoft Graph (manual guide: docs/manual-ews.md). On-premises Exchange Server URLs are not findings.
 *
 * ❌ service.Credentials = new WebCredentials(user, pass); service.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx')
 * ❌ new EWS({ username, password, host: 'https://outlook.office365.com', auth: 'basic' })
 * ✅ service.Url = new Uri('https://mail.contoso.com/EWS/Exchange.asmx')       // on-premises
 */
import { ts } from '../ts';
import { memberAssignments } from '../assignments';
import { classifyHost } from '../hosts';
import { EWS_MANUAL } from '../rule-meta';
import type { Finding, FixHints, RelatedLocation } from '../model';
import { ewsSendPlan } from './ews-send';
import { envVarsOf, isPassword, moduleStyle, prop, propNode, spanOf, str } from './shared';
import type { CallSite, Detector, DetectorContext, Val } from './types';


function message(library: string, host: string): string {
  return (
    `${library} logs in to Exchange Web Services on ${host} with a password. Basic authentication for EWS in Exchange Online has been off since October 2022; ` +
    'EWS itself is blocked in Exchange Online from 1 Oct 2026 (unless the tenant keeps EWSEnabled and allow-lists the app) and retired on 1 Apr 2027, ' +
    `so EWS with OAuth only lasts until 1 Apr 2027. ${EWS_MANUAL}`
  );
}

/** The host of an EWS URL, when it is Exchange Online (on-premises servers: undefined). */
function exchangeOnlineHost(url: string | undefined, ctx: DetectorContext): string | undefined {
  if (!url) {
    return undefined;
  }
  let host: string;
  try {
    host = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`).hostname;
  } catch {
    return undefined;
  }
  const kind = classifyHost(host, ctx.options.extraHosts);
  return kind === undefined ? undefined : host.toLowerCase();
}

function finding(detector: Detector, site: CallSite, ctx: DetectorContext, host: string, related: RelatedLocation[], fix: Partial<FixHints> = {}): Finding {
  const sf = ctx.sourceFile;
  return {
    code: detector.id,
    library: detector.library,
    protocol: 'ews',
    host,
    hostKind: 'exchange-online',
    severity: 'error',
    message: message(detector.library, host),
    span: spanOf(site.node, sf),
    related,
    fixable: false,
    fix: { moduleStyle: moduleStyle(sf), passwordEnvVars: [], manual: EWS_MANUAL, ...fix },
  };
}

/** `X.Y = <site>`: the assignment and its target, when the site is the right-hand side. */
function assignedTo(site: ts.Node, property: string): ts.PropertyAccessExpression | undefined {
  const assign = site.parent;
  if (!assign || !ts.isBinaryExpression(assign) || assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken || assign.right !== site) {
    return undefined;
  }
  return ts.isPropertyAccessExpression(assign.left) && assign.left.name.text === property ? assign.left : undefined;
}

/** The symbol an expression names, through imports (`import { service } from './ews'`). */
function symbolOf(e: ts.Expression, ctx: DetectorContext): ts.Symbol | undefined {
  // evaluating it asks the analyzer to load the module it comes from (local imports are followed on request)
  ctx.ev.evaluate(e);
  const sym = ctx.checker.getSymbolAtLocation(e);
  return sym && sym.flags & ts.SymbolFlags.Alias ? ctx.checker.getAliasedSymbol(sym) : sym;
}

/**
 * `service.<property> = rhs` assignments to the same service as `target`: in the target's file by its text
 * (`this.service`), and by symbol in the file that declares the service (created and exported in one module,
 * configured in another).
 */
function serviceAssignments(target: ts.Expression, property: string, ctx: DetectorContext): ts.BinaryExpression[] {
  const out = new Set<ts.BinaryExpression>();
  const text = target.getText();
  // a variable: the same binding (another function's `service` is another service); `this.service`: by its text
  const local = ts.isIdentifier(target) ? ctx.checker.getSymbolAtLocation(target) : undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === property && n.left.expression.getText() === text) {
      if (!local || ctx.checker.getSymbolAtLocation(n.left.expression) === local) {
        out.add(n);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(target.getSourceFile());
  const sym = ts.isIdentifier(target) ? symbolOf(target, ctx) : undefined;
  const home = sym?.valueDeclaration?.getSourceFile();
  if (sym && home && home !== target.getSourceFile()) {
    for (const list of memberAssignments(home).values()) {
      for (const a of list) {
        if (a.path.length === 1 && a.path[0] === property && a.rootId && symbolOf(a.rootId, ctx) === sym) {
          out.add(a.node);
        }
      }
    }
  }
  return [...out];
}

/** The service URL for the service whose `Credentials` the site is assigned to: `X.Url = new Uri('…')` (or a string). */
function serviceUrl(site: CallSite, ctx: DetectorContext): { url?: string; node?: ts.Node } {
  const left = assignedTo(site.node, 'Credentials');
  if (!left) {
    return {};
  }
  let found: { url?: string; node?: ts.Node } = {};
  for (const a of serviceAssignments(left.expression, 'Url', ctx)) {
    const value = ts.isNewExpression(a.right) && a.right.arguments?.[0] ? a.right.arguments[0] : a.right;
    found = { url: str(ctx.ev.evaluate(value)), node: a };
  }
  return found;
}

const CREDENTIALS = ['WebCredentials', 'ExchangeCredentials'];

/** The service's URL is set in another module: the automatic rewrite wants the whole setup in one file. */
function elsewhere(url: ts.Node, creds: ts.Node): { blocker: string } {
  const name = (n: ts.Node) => n.getSourceFile().fileName.split(/[\\/]/).pop();
  return { blocker: `the ExchangeService is set up in two files (credentials in ${name(creds)}, Url in ${name(url)}); the automatic rewrite needs it in one file` };
}

export const ewsJavascriptApiPasswordAuth: Detector = {
  id: 'ews-javascript-api-password-auth',
  library: 'ews-javascript-api',
  protocol: 'ews',
  packages: ['ews-javascript-api'],
  manual: EWS_MANUAL,
  matches: (s) => s.pkg === 'ews-javascript-api' && s.isNew && s.path.length === 1 && [...CREDENTIALS, 'Uri'].includes(s.path[0]),
  detect(site, ctx) {
    if (site.path[0] === 'Uri') {
      urlSite(this, site, ctx);
      return;
    }
    const pass = site.args[1] && ctx.ev.evaluate(site.args[1]);
    if (!isPassword(pass)) {
      return;
    }
    const { url, node } = serviceUrl(site, ctx);
    const host = exchangeOnlineHost(url, ctx);
    if (!host || !node) {
      return;
    }
    const passArg = site.args[1];
    const related: RelatedLocation[] = [
      { ...spanOf(node), role: 'host', message: `EWS URL on ${host}` },
      { ...spanOf(passArg), role: 'password', message: 'password login to EWS' },
    ];
    // the send path moves to Microsoft Graph automatically; anything else is named for the manual guide
    const plan = node.getSourceFile() === ctx.sourceFile ? ewsSendPlan(site.node as ts.NewExpression, host, "'") : elsewhere(node, site.node);
    const f = finding(this, site, ctx, host, related, {
      passwordSpan: spanOf(passArg),
      passwordEnvVars: envVarsOf(pass),
      manual: 'blocker' in plan ? `${plan.blocker}. ${EWS_MANUAL}` : EWS_MANUAL,
    });
    f.fixable = !('blocker' in plan);
    ctx.report(f);
  },
};

/**
 * `service.Url = new Uri('…')` on a service created (and given its password credentials) in the module it is
 * imported from: reported here, since that module cannot see this URL. A module that sets a URL itself decides.
 */
function urlSite(detector: Detector, site: CallSite, ctx: DetectorContext): void {
  const left = assignedTo(site.node, 'Url');
  const sym = left && ts.isIdentifier(left.expression) ? symbolOf(left.expression, ctx) : undefined;
  const home = sym?.valueDeclaration?.getSourceFile();
  if (!left || !home || home === ctx.sourceFile) {
    return;
  }
  const host = site.args[0] && exchangeOnlineHost(str(ctx.ev.evaluate(site.args[0])), ctx);
  if (!host || serviceAssignments(left.expression, 'Url', ctx).some((a) => a.getSourceFile() === home)) {
    return;
  }
  for (const a of serviceAssignments(left.expression, 'Credentials', ctx)) {
    const creds = a.right;
    const cls = ts.isNewExpression(creds) ? ctx.ev.evaluate(creds.expression) : undefined;
    if (a.getSourceFile() !== home || !ts.isNewExpression(creds) || cls?.kind !== 'module' || cls.pkg !== 'ews-javascript-api' || !CREDENTIALS.includes(cls.path[0] ?? '')) {
      continue;
    }
    const passArg = creds.arguments?.[1];
    const pass = passArg && ctx.ev.evaluate(passArg);
    if (!passArg || !isPassword(pass)) {
      continue;
    }
    const related: RelatedLocation[] = [{ ...spanOf(passArg), role: 'password', message: 'password login to EWS (the service is created there)' }];
    const f = finding(detector, site, ctx, host, related, { passwordEnvVars: envVarsOf(pass), manual: `${elsewhere(site.node, creds).blocker}. ${EWS_MANUAL}` });
    ctx.report(f);
    return;
  }
}
export const nodeEwsPasswordAuth: Detector = {
  id: 'node-ews-password-auth',
  library: 'node-ews',
  protocol: 'ews',
  packages: ['node-ews'],
  manual: EWS_MANUAL,
  matches: (s) => s.pkg === 'node-ews' && s.isNew && s.path.length === 0,
  detect(site, ctx) {
    const config: Val | undefined = site.args[0] && ctx.ev.evaluate(site.args[0]);
    if (!isPassword(prop(ctx, config, 'password'))) {
      return;
    }
    const host = exchangeOnlineHost(str(prop(ctx, config, 'host')), ctx);
    if (!host) {
      return;
    }
    const hostNode = propNode(config, 'host');
    const related: RelatedLocation[] = hostNode ? [{ ...spanOf(hostNode), role: 'host', message: `EWS host ${host}` }] : [];
    const passNode = propNode(config, 'password');
    if (passNode) {
      related.push({ ...spanOf(passNode), role: 'password', message: 'password login to EWS' });
    }
    ctx.report(finding(this, site, ctx, host, related));
  },
};

