/**
 * nodemailer (and the nodemailer-smtp-transport wrapper): `auth: { type: 'OAuth2', user, provisionCallback }`.
 * nodemailer asks the callback for a token whenever it logs in and again when one expired, so pooled and
 * long-lived transports keep working. `smtp(s)://user:pass@host` URLs become an options object.
 */
import { Node, SyntaxKind, type ObjectLiteralExpression } from 'ts-morph';
import type { Finding } from '../model';
import { dedentedText, isJson, NotFixable, oauth2TypeValue, passwordProperty, propertyName, replaceProps, type FileState, type LibraryFix } from '../fixes/kit';

export const nodemailerFix: LibraryFix = {
  rewrite({ finding, call, main, passNode, passState, note }) {
    if (finding.fix.viaUrl) {
      if (isJson(passState)) {
        throw new NotFixable(`the connection URL is kept in ${passState.file}: replace it there with host and port, and give createTransport() auth: { type: 'OAuth2', user, provisionCallback } by hand`);
      }
      return [rewriteNodemailerUrl(finding, passNode, passState, note)];
    }
    const [first] = Node.isCallExpression(call) ? call.getArguments() : [];
    if (first && (Node.isStringLiteral(first) || Node.isNoSubstitutionTemplateLiteral(first)) && !first.getLiteralValue().includes('://')) {
      // nodemailer 0.x: createTransport("SMTP", options) — no OAuth2 token callback before nodemailer 3
      throw new NotFixable(
        `nodemailer 0.x API (createTransport(${first.getText()}, options)) cannot take an OAuth2 token callback: upgrade nodemailer (npm install nodemailer@latest), drop the ${first.getText()} argument (createTransport(options)), then run the fix again`,
      );
    }
    const { obj, prop } = passwordProperty(passNode, ['pass', 'auth']);
    if (isJson(passState)) {
      return rewriteJsonOptions(finding, call, main, passState, obj, propertyName(prop));
    }
    if (propertyName(prop) === 'auth') {
      // `auth: { type: 'login', user, ... }` without a visible pass: rewrite the auth object itself
      const init = Node.isPropertyAssignment(prop) ? prop.getInitializer() : undefined;
      if (!init || !Node.isObjectLiteralExpression(init)) {
        throw new NotFixable('the auth object is not written inline');
      }
      replaceProps(init, ['type', 'pass', 'credentials'], [`type: ${oauth2TypeValue(init, passState)}`, 'provisionCallback: nodemailerProvisionCallback']);
      dropAuthMethod(init);
    } else {
      replaceProps(obj, ['type', 'pass'], [`type: ${oauth2TypeValue(obj, passState)}`, 'provisionCallback: nodemailerProvisionCallback']);
      dropAuthMethod(obj);
    }
    passState.parts.add('nodemailer');
    if (finding.library === 'nodemailer-smtp-transport') {
      unwrapSmtpTransport(call);
    }
    return [passState];
  },
};

/**
 * A forced SASL mechanism (`authMethod: 'PLAIN'` beside `auth`, or `auth.method`) would make nodemailer log in with
 * PLAIN and no password ("Missing credentials"): without it, OAuth2 auth logs in with XOAUTH2.
 */
function dropAuthMethod(auth: ObjectLiteralExpression): void {
  const has = (o: ObjectLiteralExpression, name: string): boolean => o.getProperties().some((p) => propertyName(p) === name);
  if (has(auth, 'method')) {
    replaceProps(auth, ['method'], []);
  }
  // up through wrappers (`auth: Object.freeze({ ... })`, parentheses, `as`) to the options object
  let n: Node | undefined = auth.getParent();
  while (n && (Node.isCallExpression(n) || Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n))) {
    n = n.getParent();
  }
  const options = n && Node.isPropertyAssignment(n) && propertyName(n) === 'auth' ? n.getParent() : undefined;
  if (options && Node.isObjectLiteralExpression(options) && has(options, 'authMethod')) {
    replaceProps(options, ['authMethod'], []);
  }
}

/**
 * nodemailer-smtp-transport (written for nodemailer 2-4) does not know `type: 'OAuth2'` with a
 * provisioning callback; nodemailer >= 3 takes the options directly, so the wrapper call goes.
 */
function unwrapSmtpTransport(call: Node): void {
  if (!Node.isCallExpression(call)) {
    return;
  }
  const [arg] = call.getArguments();
  const parent = call.getParent();
  if (arg && parent && Node.isCallExpression(parent) && parent.getArguments().includes(call)) {
    // ts-morph re-indents continuation lines by the call's own indentation: take it off first.
    const indent = call.getIndentationText().length;
    const [first, ...rest] = arg.getText().split('\n');
    const strip = new RegExp(`^[ \\t]{0,${indent}}`);
    call.replaceWithText([first, ...rest.map((l) => l.replace(strip, ''))].join('\n'));
  }
}

function rewriteNodemailerUrl(finding: Finding, urlNode: Node | undefined, st: FileState, note: (text: string) => void): FileState {
  if (!urlNode) {
    throw new NotFixable('the connection URL is not visible in the code; replace it with host/port options and auth { type: "OAuth2" }');
  }
  if (!(Node.isStringLiteral(urlNode) || Node.isNoSubstitutionTemplateLiteral(urlNode) || Node.isTemplateExpression(urlNode))) {
    // kept in a variable or the environment (EMAIL_SERVER=smtp://user:pass@host in .env): converted where it is used
    urlNode.replaceWithText(`nodemailerUrlOAuth2(${dedentedText(urlNode)})`);
    st.parts.add('nodemailer-url');
    const vars = finding.fix.passwordEnvVars;
    if (vars.length) {
      note(`Remove the password from ${vars.join(', ')} in your .env files and deployment settings: the fixed code takes the host, port and user from the URL and logs in with OAuth2 (the password is ignored).`);
    }
    return st;
  }
  const raw = Node.isTemplateExpression(urlNode)
    ? urlNode.getText().slice(1, -1).replace(/\$\{[^}]*\}/g, 'x')
    : (urlNode.getLiteralValue());
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotFixable('cannot parse the connection URL');
  }
  if (url.search || !finding.host) {
    throw new NotFixable('the connection URL has query options; rewrite it by hand');
  }
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const q = st.quote;
  const user = decodeURIComponent(url.username);
  const options = `{ host: ${q}${finding.host}${q}, port: ${port}, secure: ${secure}, auth: { type: ${q}OAuth2${q}, user: ${q}${user.replace(new RegExp(q, 'g'), `\\${q}`)}${q}, provisionCallback: nodemailerProvisionCallback } }`;
  const parent = urlNode.getParent();
  if (parent && Node.isPropertyAssignment(parent) && parent.getName() === 'url') {
    const obj = parent.getParentIfKindOrThrow(SyntaxKind.ObjectLiteralExpression);
    replaceProps(obj, ['url'], options.slice(2, -2).split(/, (?=host|port|secure|auth)/));
  } else {
    urlNode.replaceWithText(options);
  }
  st.parts.add('nodemailer');
  return st;
}

/**
 * Options kept in a JSON file (`createTransport(require('./mail.json').smtp)`): JSON cannot hold the callback, so
 * the password leaves the file and the options are given OAuth2 where the code passes them on:
 * `createTransport(withNodemailerOAuth2(require('./mail.json').smtp))`.
 */
function rewriteJsonOptions(finding: Finding, call: Node, main: FileState, json: FileState, obj: ObjectLiteralExpression, prop: string): FileState[] {
  const arg = Node.isCallExpression(call) ? call.getArguments()[0] : undefined;
  if (!arg || finding.library !== 'nodemailer' || prop !== 'pass' || main === json) {
    throw new NotFixable(`the options are kept in ${json.file}: remove "pass" there and give createTransport() auth: { type: 'OAuth2', user, provisionCallback } by hand`);
  }
  replaceProps(obj, ['type', 'pass'], []);
  arg.replaceWithText(`withNodemailerOAuth2(${dedentedText(arg)})`);
  main.parts.add('nodemailer-options');
  return [json, main];
}
