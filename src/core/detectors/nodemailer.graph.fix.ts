/**
 * nodemailer → Microsoft Graph `sendMail` (`fix --to graph`): the SMTP options become the generated
 * `graphTransport({ host, user })`, a nodemailer transport that posts the MIME nodemailer builds to
 * /users/{user}/sendMail; every `sendMail()` call site stays as it was. Offered only where the transport is used to
 * send: code that checks the SMTP login (`verify()`), watches the pool (`isIdle()`, 'idle') or relies on SMTP-only
 * options (DKIM signing by nodemailer, LMTP) keeps XOAUTH2, and the reason is given.
 */
import { Node, type ObjectLiteralExpression } from 'ts-morph';
import type { Finding } from '../model';
import { isJson, NotFixable, propertyName, type LibraryFix } from '../fixes/kit';

const OUTSIDE = 'the SMTP options are built outside the createTransport() call; the Graph rewrite needs them written there (or the password would stay behind)';

/** Transport methods and events that only mean something for an SMTP connection. */
const SMTP_ONLY_USES: [RegExp, string][] = [
  [/^verify$/, 'verify() checks the SMTP login'],
  [/^isIdle$/, 'isIdle() watches the SMTP connection pool'],
];
/** Options whose effect Graph cannot keep. */
const SMTP_ONLY_OPTIONS: Record<string, string> = {
  dkim: 'nodemailer signs the message with DKIM (Exchange Online signs it with the domain key instead; drop dkim first if that is what you want)',
  lmtp: 'the transport speaks LMTP',
};

export const nodemailerGraphFix: LibraryFix = {
  rewrite({ finding, call, main, passNode, passState }) {
    if (isJson(passState) || passState !== main) {
      throw new NotFixable(`the options are kept in ${passState.file}: the Graph rewrite needs them written in the createTransport() call`);
    }
    const { target, options } = graphTarget(finding, call);
    if (!passNode || passNode.getStart() < target.getStart() || passNode.getEnd() > target.getEnd()) {
      throw new NotFixable(OUTSIDE);
    }
    smtpOnlyUse(call);
    const q = main.quote;
    const args = options ? optionsArgs(options, finding, q) : urlArgs(finding, q);
    target.replaceWithText(`graphTransport({ ${args.join(', ')} })`);
    main.parts.add('graph');
    return [main];
  },
};

/** The node that becomes `graphTransport(...)` (the options or URL given to createTransport, or the wrapper call) and the options object. */
function graphTarget(finding: Finding, call: Node): { target: Node; options?: ObjectLiteralExpression } {
  if (!Node.isCallExpression(call)) {
    throw new NotFixable('not a createTransport() call');
  }
  const [arg] = call.getArguments();
  if (finding.library === 'nodemailer-smtp-transport') {
    const parent = call.getParent();
    if (!parent || !Node.isCallExpression(parent) || !parent.getArguments().includes(call)) {
      throw new NotFixable('the smtpTransport() options are not given straight to createTransport()');
    }
    if (!arg || !Node.isObjectLiteralExpression(arg)) {
      throw new NotFixable('the smtpTransport() options are not written inline');
    }
    return { target: call, options: arg };
  }
  if (arg && Node.isObjectLiteralExpression(arg)) {
    return { target: arg, options: arg };
  }
  if (arg && (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg) || Node.isTemplateExpression(arg))) {
    return { target: arg };
  }
  throw new NotFixable(OUTSIDE);
}

/** The transport's variable in this file is used for SMTP-only work: say so (Graph is not offered). */
function smtpOnlyUse(call: Node): void {
  // `const transport = createTransport(...)` or `this.transport = createTransport(...)`
  const holder = call.getFirstAncestor((a) => Node.isVariableDeclaration(a) || Node.isBinaryExpression(a) || Node.isStatement(a));
  let name: string | undefined;
  if (holder && Node.isVariableDeclaration(holder)) {
    name = holder.getName();
  } else if (holder && Node.isBinaryExpression(holder) && holder.getOperatorToken().getText() === '=') {
    name = holder.getLeft().getText();
  }
  if (!name) {
    return;
  }
  for (const access of call.getSourceFile().getDescendants()) {
    if (!Node.isPropertyAccessExpression(access) || access.getExpression().getText() !== name) {
      continue;
    }
    const method = access.getName();
    for (const [re, why] of SMTP_ONLY_USES) {
      if (re.test(method)) {
        throw new NotFixable(`Microsoft Graph is not offered: ${name}.${why} (line ${access.getStartLineNumber()}); keep SMTP with --to xoauth2`);
      }
    }
    const parent = access.getParent();
    if ((method === 'on' || method === 'once') && Node.isCallExpression(parent) && /^['"`]idle['"`]$/.test(parent.getArguments()[0]?.getText() ?? '')) {
      throw new NotFixable(`Microsoft Graph is not offered: the 'idle' event of ${name} (line ${access.getStartLineNumber()}) belongs to the SMTP connection pool; keep SMTP with --to xoauth2`);
    }
  }
}

function optionsArgs(opts: ObjectLiteralExpression, finding: Finding, q: string): string[] {
  const text = (o: ObjectLiteralExpression, key: string): string | undefined => {
    const p = o.getProperties().find((x) => propertyName(x) === key);
    if (p && Node.isPropertyAssignment(p)) {
      return p.getInitializerOrThrow().getText();
    }
    return p && Node.isShorthandPropertyAssignment(p) ? p.getName() : undefined;
  };
  const inner = opts;
  for (const [key, why] of Object.entries(SMTP_ONLY_OPTIONS)) {
    if (text(inner, key) !== undefined) {
      throw new NotFixable(`Microsoft Graph is not offered: ${why}; keep SMTP with --to xoauth2`);
    }
  }
  const args = [`host: ${text(inner, 'host') ?? `${q}${finding.host ?? 'smtp.office365.com'}${q}`}`];
  const authProp = inner.getProperties().find((x) => propertyName(x) === 'auth');
  const auth = authProp && Node.isPropertyAssignment(authProp) ? authProp.getInitializer() : undefined;
  const user = auth && Node.isObjectLiteralExpression(auth) ? text(auth, 'user') : (finding.fix.userText ?? undefined);
  if (user) {
    args.push(`user: ${user}`);
  }
  return args;
}

function urlArgs(finding: Finding, q: string): string[] {
  if (!finding.host) {
    throw new NotFixable('the connection URL has no host the rewrite can keep');
  }
  const args = [`host: ${q}${finding.host}${q}`];
  const user = finding.fix.userText;
  if (user) {
    // userText is written with single quotes
    args.push(`user: ${q === "'" ? user : JSON.stringify(user.slice(1, -1).replace(/\\'/g, "'"))}`);
  }
  return args;
}
