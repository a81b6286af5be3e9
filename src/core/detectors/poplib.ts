/**
 * poplib: `new POP3Client(port, host, options)`; the credentials arrive later through
 * `client.login(user, pass)` (or `client.auth('PLAIN', user, pass)`). No XOAUTH2: manual guide only.
 *
 * ❌ const c = new POP3Client(995, 'outlook.office365.com', { tlserrs: false, enabletls: true });
 *    c.on('connect', () => c.login(user, pass));
 */
import { ts } from '../ts';
import { reportConnection } from './shared';
import { POP3_MANUAL } from '../rule-meta';
import type { CallSite, Detector, DetectorContext } from './types';

/** The later `x.login(user, pass)` / `x.auth(type, user, pass)` call on the variable holding the client. */
function findLogin(site: CallSite, ctx: DetectorContext): ts.CallExpression | undefined {
  let holder: ts.Node = site.node.parent;
  while (ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder)) {
    holder = holder.parent;
  }
  let target: ts.Node | undefined;
  if (ts.isVariableDeclaration(holder)) {
    target = holder.name;
  } else if (ts.isBinaryExpression(holder) && holder.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    target = holder.left;
  }
  const sym = target && ctx.checker.getSymbolAtLocation(target);
  if (!sym) {
    return undefined;
  }
  let found: ts.CallExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) {
      return;
    }
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      (n.expression.name.text === 'login' || n.expression.name.text === 'auth') &&
      ctx.checker.getSymbolAtLocation(n.expression.expression) === sym
    ) {
      found = n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(ctx.sourceFile);
  return found;
}

export const poplibPasswordAuth: Detector = {
  id: 'poplib-password-auth',
  library: 'poplib',
  protocol: 'pop3',
  packages: ['poplib'],
  manual: POP3_MANUAL,
  matches: (s) => s.pkg === 'poplib' && s.isNew && s.path.length === 0,
  detect(site, ctx) {
    const hostArg = site.args[1];
    const login = hostArg && findLogin(site, ctx);
    if (!login) {
      return;
    }
    const isAuth = ts.isPropertyAccessExpression(login.expression) && login.expression.name.text === 'auth';
    const [userArg, passArg] = isAuth ? login.arguments.slice(1) : login.arguments;
    if (!passArg) {
      return;
    }
    reportConnection(this, site, ctx, {
      host: ctx.ev.evaluate(hostArg),
      user: userArg && ctx.ev.evaluate(userArg),
      password: ctx.ev.evaluate(passArg),
      passwordNode: passArg,
      passwordAuth: true,
      oauth: false,
    });
  },
};
