/**
 * MSAL's username/password grant (ROPC) used for a mail token: the code still logs in with a password.
 * `acquireTokenByUsernamePassword` is deprecated in every MSAL, fails for MFA and federated users, and keeps the
 * password in the app; the fix gets the token from the generated provider (client credentials, or a device code
 * sign-in for Outlook.com) instead.
 *
 * ❌ pca.acquireTokenByUsernamePassword({ scopes: ['https://outlook.office365.com/IMAP.AccessAsUser.All'], username, password })
 * ❌ cca.acquireTokenByUsernamePassword({ scopes: ['Mail.Send'], username, password })      // Graph mail
 * ✅ pca.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username, password })     // not mail: not ours
 */
import { ts } from '../ts';
import type { Finding, Protocol } from '../model';
import { moduleStyle, prop, spanOf, str } from './shared';
import type { Detector, DetectorContext, Val } from './types';

export const MSAL_PASSWORD_GRANT = 'msal-password-grant';
const METHOD = 'acquireTokenByUsernamePassword';

/** What a mail scope asks for: the protocol of the finding and the provider's token kind. */
interface MailScope {
  protocol: Protocol;
  token: 'smtp' | 'imap' | 'pop3' | 'graph';
  host: string;
}

const EXCHANGE = /^https:\/\/(outlook\.office365\.com|outlook\.office\.com|outlook\.office365\.us|partner\.outlook\.cn)\/(.+)$/i;
const GRAPH = /^(?:https:\/\/(graph\.microsoft\.com|graph\.microsoft\.us|dod-graph\.microsoft\.us|microsoftgraph\.chinacloudapi\.cn)\/)?(Mail\.[\w.]+)$/i;

/** A scope of Exchange Online (IMAP, POP, SMTP, EWS, .default) or of Graph mail (Mail.*); others are not ours. */
export function mailScope(scope: string): MailScope | undefined {
  const ex = EXCHANGE.exec(scope.trim());
  if (ex) {
    const perm = ex[2].toLowerCase();
    const protocol: Protocol = perm.startsWith('smtp') ? 'smtp' : perm.startsWith('pop') ? 'pop3' : 'imap';
    return { protocol, token: protocol, host: ex[1].toLowerCase() };
  }
  const g = GRAPH.exec(scope.trim());
  if (g) {
    const send = /^mail\.send/i.test(g[2]);
    return { protocol: send ? 'smtp' : 'imap', token: 'graph', host: (g[1] ?? 'graph.microsoft.com').toLowerCase() };
  }
  return undefined;
}

/** The receiver is an MSAL client application (by its type, or by the `new` that made it). */
function isMsalClient(recv: ts.Expression, ctx: DetectorContext): boolean {
  const type = ctx.checker.getTypeAtLocation(recv);
  for (const decl of type.getSymbol()?.declarations ?? []) {
    if (/[\\/]@azure[\\/]msal-(node|common|browser)[\\/]/.test(decl.getSourceFile().fileName)) {
      return true;
    }
  }
  const v = ctx.ev.evaluate(recv);
  if (v.kind === 'unknown' && ts.isNewExpression(v.node)) {
    const cls = ctx.ev.evaluate(v.node.expression);
    return cls.kind === 'module' && /^@azure\/msal-(node|browser)$/.test(cls.pkg) && /ClientApplication$/.test(cls.path[cls.path.length - 1] ?? '');
  }
  return false;
}

function scopesOf(ctx: DetectorContext, req: Val): string[] {
  const scopes = prop(ctx, req, 'scopes');
  if (!scopes || scopes.kind !== 'array') {
    return [];
  }
  return scopes.items.map((s) => str(s)).filter((s): s is string => s !== undefined);
}

/** `client.acquireTokenByUsernamePassword({ scopes, username, password })` with a mail scope. */
export function detectMsalPasswordGrant(node: ts.CallExpression, ctx: DetectorContext): Finding | undefined {
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== METHOD || !node.arguments[0]) {
    return undefined;
  }
  if (!isMsalClient(callee.expression, ctx)) {
    return undefined;
  }
  const req = ctx.ev.evaluate(node.arguments[0]);
  const scope = scopesOf(ctx, req).map(mailScope).find((s) => s !== undefined);
  if (!scope) {
    return undefined;
  }
  const password = prop(ctx, req, 'password');
  const passwordNode = req.kind === 'object' ? req.props.get('password')?.node : undefined;
  const target = scope.token === 'graph' ? `Microsoft Graph mail (${scope.host})` : `Exchange Online ${scope.protocol.toUpperCase()} (${scope.host})`;
  const sf = ctx.sourceFile;
  // the result is awaited or returned: the provider's token ({ accessToken, expiresOn }) can take its place
  const awaited = ts.isAwaitExpression(node.parent) || ts.isReturnStatement(node.parent) || ts.isArrowFunction(node.parent);
  return {
    code: MSAL_PASSWORD_GRANT,
    library: 'msal-node',
    protocol: scope.protocol,
    host: scope.host,
    hostKind: 'exchange-online',
    severity: 'error',
    message:
      `MSAL's username/password grant gets a token for ${target} with a password: deprecated in every MSAL, it fails for users with MFA or a federated sign-in and keeps the password in the app. ` +
      'Use client credentials (an app registration with a secret or certificate), or a device code sign-in for Outlook.com accounts.',
    span: spanOf(node, sf),
    related: passwordNode ? [{ ...spanOf(passwordNode), role: 'password', message: 'the password sent to the identity platform' }] : [],
    fixable: awaited,
    fix: {
      passwordSpan: passwordNode ? spanOf(passwordNode) : undefined,
      moduleStyle: moduleStyle(sf),
      passwordEnvVars: password?.env ? [password.env.name] : [],
      tokenProtocol: scope.token,
      manual: awaited ? undefined : 'Automatic fix unavailable: the call\'s promise is used other than by await or return; call getMailAccessToken() from the generated provider instead.',
    },
  };
}

/**
 * Registry entry: the grant is a method call on a client object, not a call into the package, so the analyzer
 * asks detectMsalPasswordGrant() about every `x.acquireTokenByUsernamePassword(...)` call instead of matching sites.
 */
export const msalPasswordGrant: Detector = {
  id: MSAL_PASSWORD_GRANT,
  library: 'msal-node',
  protocol: 'imap',
  packages: ['@azure/msal-node'],
  matches: () => false,
  detect: () => undefined,
};
