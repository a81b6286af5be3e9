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

/** `X.Url = new Uri('…')` (or a string) for the service whose `Credentials` the site is assigned to. */
function serviceUrl(site: CallSite, ctx: DetectorContext): { url?: string; node?: ts.Node } {
  const assign = site.node.parent;
  if (!assign || !ts.isBinaryExpression(assign) || assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken || assign.right !== site.node) {
    return {};
  }
  const left = assign.left;
  if (!ts.isPropertyAccessExpression(left) || left.name.text !== 'Credentials') {
    return {};
  }
  const service = left.expression.getText();
  let found: { url?: string; node?: ts.Node } = {};
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      n.left.name.text === 'Url' &&
      n.left.expression.getText() === service
    ) {
      const value = ts.isNewExpression(n.right) && n.right.arguments?.[0] ? n.right.arguments[0] : n.right;
      found = { url: str(ctx.ev.evaluate(value)), node: n };
    }
    ts.forEachChild(n, visit);
  };
  visit(ctx.sourceFile);
  return found;
}

export const ewsJavascriptApiPasswordAuth: Detector = {
  id: 'ews-javascript-api-password-auth',
  library: 'ews-javascript-api',
  protocol: 'ews',
  packages: ['ews-javascript-api'],
  manual: EWS_MANUAL,
  matches: (s) => s.pkg === 'ews-javascript-api' && s.isNew && s.path.length === 1 && ['WebCredentials', 'ExchangeCredentials'].includes(s.path[0]),
  detect(site, ctx) {
    const pass = site.args[1] && ctx.ev.evaluate(site.args[1]);
    if (!isPassword(pass)) {
      return;
    }
    const { url, node } = serviceUrl(site, ctx);
    const host = exchangeOnlineHost(url, ctx);
    if (!host || !node) {
      return;
    }
    const related: RelatedLocation[] = [{ ...spanOf(node), role: 'host', message: `EWS URL on ${host}` }];
    const passArg = site.args[1];
    related.push({ ...spanOf(passArg), role: 'password', message: 'password login to EWS' });
    // the send path moves to Microsoft Graph automatically; anything else is named for the manual guide
    const plan = node.getSourceFile() === ctx.sourceFile ? ewsSendPlan(site.node as ts.NewExpression, host, "'") : { blocker: `the service's Url is set in ${node.getSourceFile().fileName}; the automatic rewrite needs the ExchangeService set up in one file` };
    const f = finding(this, site, ctx, host, related, {
      passwordSpan: spanOf(passArg),
      passwordEnvVars: envVarsOf(pass),
      manual: 'blocker' in plan ? `${plan.blocker}. ${EWS_MANUAL}` : EWS_MANUAL,
    });
    f.fixable = !('blocker' in plan);
    ctx.report(f);
  },
};

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

