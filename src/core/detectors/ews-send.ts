/**
 * The EWS send path that moves to Microsoft Graph (ews-javascript-api): an `ExchangeService` with password
 * credentials whose only use is `new EmailMessage(service)` + Subject / Body / recipients / file attachments +
 * `Send()` / `SendAndSaveCopy()`. Computed on a TypeScript tree (the analyzer's, to decide whether the finding is
 * fixable and say exactly what is not; ts-morph's, which is the same TypeScript, to rewrite), statement by
 * statement, so sends inside conditions and loops keep their shape:
 *
 *   const service = new ExchangeService(v)                  → const service = graphMailbox({ user, host })
 *   service.Credentials = new WebCredentials(user, pass)    → (removed; `service.user = user` when it cannot merge)
 *   service.Url = new Uri('https://outlook.office365.com…') → (removed: Graph's endpoint comes from the cloud)
 *   service.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, a) → service.user = a
 *   const m = new EmailMessage(service)                     → const m = graphMessage(service)
 *   m.Subject = s; m.Body = new MessageBody(BodyType.HTML, h) → m.subject = s; m.body = { contentType: 'HTML', content: h }
 *   m.ToRecipients.Add(a) / AddRange(list)                  → m.toRecipients.push(a) / push(...list)
 *   m.Attachments.AddFileAttachment(name, base64)           → m.attachments.push({ name, contentBytes: base64 })
 *   m.SendAndSaveCopy() / m.Send()                          → m.send() / m.send({ saveToSentItems: false })
 *
 * Anything else done with the service or a message (FindItems, Bind, Save, inline attachments, passing them to
 * other code) is not translated: the reason names the statement and its line, for docs/manual-ews.md.
 */
import { ts } from '../ts';

export interface EwsEdit {
  node: ts.Node;
  /** The node's new text; null removes the node (a whole statement). */
  text: string | null;
}

export type EwsSendPlan = { edits: EwsEdit[] } | { blocker: string };

const GUIDE = 'the automatic rewrite covers the send path only (EmailMessage + Send/SendAndSaveCopy); move the rest with the Graph equivalents in docs/manual-ews.md';

/** Service settings that mean nothing to Graph (the URL comes from the cloud; tracing and HTTP tuning go). */
const DROPPED_SERVICE_PROPS = new Set([
  'Url',
  'TraceEnabled',
  'TraceFlags',
  'TraceListener',
  'UserAgent',
  'Timeout',
  'PreAuthenticate',
  'KeepAlive',
  'AcceptGzipEncoding',
  'SendClientLatencies',
  'ReturnClientRequestId',
  'EnableScpLookup',
]);

/** EmailMessage properties with a Graph message field of the same meaning. */
const MESSAGE_PROPS: Record<string, string> = {
  Subject: 'subject',
  From: 'from',
  Body: 'body',
  Importance: 'importance',
};

const RECIPIENTS: Record<string, string> = {
  ToRecipients: 'toRecipients',
  CcRecipients: 'ccRecipients',
  BccRecipients: 'bccRecipients',
  ReplyTo: 'replyTo',
};

class Blocked extends Error {}

function lineOf(n: ts.Node): number {
  const sf = n.getSourceFile();
  return sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
}

/** Refuses, quoting the statement that holds `n`. */
function refuse(n: ts.Node, why: string): never {
  const statement = ts.findAncestor(n, (a) => ts.isStatement(a)) ?? n;
  const text = statement.getText().replace(/\s+/g, ' ');
  throw new Blocked(`${why}: \`${text.length > 70 ? `${text.slice(0, 67)}...` : text}\` (line ${lineOf(n)}); ${GUIDE}`);
}

/** `new X(...)` / `new ews.X(...)`. */
function isNewOf(n: ts.Node | undefined, name: string): n is ts.NewExpression {
  if (!n || !ts.isNewExpression(n)) {
    return false;
  }
  const e = n.expression;
  return (ts.isIdentifier(e) && e.text === name) || (ts.isPropertyAccessExpression(e) && e.name.text === name);
}

function isAssignment(n: ts.Node | undefined): n is ts.BinaryExpression {
  return !!n && ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

/** Statement lists and functions: the places a name can be declared. */
function declaresIn(scope: ts.Node, name: string): ts.Declaration | undefined {
  if (ts.isFunctionLike(scope)) {
    return scope.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
  }
  if (ts.isCatchClause(scope)) {
    const v = scope.variableDeclaration;
    return v && ts.isIdentifier(v.name) && v.name.text === name ? v : undefined;
  }
  if ((ts.isForOfStatement(scope) || ts.isForInStatement(scope) || ts.isForStatement(scope)) && scope.initializer && ts.isVariableDeclarationList(scope.initializer)) {
    return scope.initializer.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
  }
  const statements = ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) || ts.isCaseClause(scope) || ts.isDefaultClause(scope) ? scope.statements : undefined;
  for (const s of statements ?? []) {
    if (ts.isVariableStatement(s)) {
      const d = s.declarationList.declarations.find((x) => ts.isIdentifier(x.name) && x.name.text === name);
      if (d) {
        return d;
      }
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name?.text === name) {
      return s;
    } else if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name?.text === name) {
        return c;
      }
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b) && b.name.text === name) {
        return b;
      }
      const spec = b && ts.isNamedImports(b) ? b.elements.find((e) => e.name.text === name) : undefined;
      if (spec) {
        return spec;
      }
    }
  }
  return undefined;
}

/** The declaration an identifier refers to, by the scopes around it (no checker needed). */
function declarationOf(id: ts.Identifier): ts.Declaration | undefined {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    const d = declaresIn(n, id.text);
    if (d) {
      return d;
    }
  }
  return undefined;
}

/** The identifiers that refer to a variable (its own name excluded). */
function references(decl: ts.VariableDeclaration & { name: ts.Identifier }): ts.Identifier[] {
  const name = decl.name.text;
  const out: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n.text === name && n !== decl.name) {
      const p = n.parent;
      const isMemberName = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n) || (ts.isMethodDeclaration(p) && p.name === n);
      if (!isMemberName && declarationOf(n) === decl) {
        out.push(n);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(decl.getSourceFile());
  return out;
}

/** `{ key: text }` entries, shorthand where the text is the key (`{ name, address }`). */
function entries(pairs: [string, ts.Node][]): string {
  return `{ ${pairs.map(([k, n]) => (n.getText() === k ? k : `${k}: ${n.getText()}`)).join(', ')} }`;
}

/** A recipient or From: an address expression, or `new EmailAddress(name, address)`. */
function recipient(e: ts.Expression): string {
  if (isNewOf(e, 'EmailAddress')) {
    const args = e.arguments ?? [];
    if (args.length === 1) {
      return args[0].getText();
    }
    if (args.length === 2) {
      return entries([['name', args[0]], ['address', args[1]]]);
    }
    refuse(e, 'an EmailAddress with a routing type or mailbox type');
  }
  return e.getText();
}

function bodyText(e: ts.Expression, q: string): string {
  if (!isNewOf(e, 'MessageBody')) {
    refuse(e, 'the body is not written as new MessageBody(...)');
  }
  const args = e.arguments ?? [];
  // MessageBody(text) is HTML, like EWS's default
  if (args.length === 1) {
    return `{ contentType: ${q}HTML${q}, content: ${args[0].getText()} }`;
  }
  const kind = args.length === 2 ? /BodyType\.(HTML|Text)$/.exec(args[0].getText())?.[1] : undefined;
  if (!kind) {
    refuse(e, 'the body type is not BodyType.HTML or BodyType.Text');
  }
  return `{ contentType: ${q}${kind}${q}, content: ${args[1].getText()} }`;
}

/** One use of a message variable → its Graph form. */
function messageEdit(id: ts.Identifier, q: string): EwsEdit {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id) {
    refuse(access, `the EmailMessage ${id.text} is passed on`);
  }
  const name = access.name.text;
  const use = access.parent;
  if (isAssignment(use) && use.left === access && ts.isExpressionStatement(use.parent) && MESSAGE_PROPS[name]) {
    const value =
      name === 'Body'
        ? bodyText(use.right, q)
        : name === 'From'
          ? recipient(use.right)
          : name === 'Importance'
            ? importance(use.right, q)
            : use.right.getText();
    return { node: use, text: `${id.text}.${MESSAGE_PROPS[name]} = ${value}` };
  }
  if (ts.isCallExpression(use) && use.expression === access && (name === 'Send' || name === 'SendAndSaveCopy')) {
    const [folder] = use.arguments;
    if (name === 'Send' && !folder) {
      return { node: use, text: `${id.text}.send({ saveToSentItems: false })` };
    }
    if (name === 'SendAndSaveCopy' && (!folder || /WellKnownFolderName\.SentItems$/.test(folder.getText()))) {
      return { node: use, text: `${id.text}.send()` };
    }
    refuse(use, 'a copy saved to another folder than Sent Items');
  }
  const call = use.parent;
  if (ts.isPropertyAccessExpression(use) && use.expression === access && ts.isCallExpression(call) && call.expression === use && ts.isExpressionStatement(call.parent)) {
    const method = use.name.text;
    const args = call.arguments;
    if (RECIPIENTS[name] && method === 'Add' && args.length === 1) {
      return { node: call, text: `${id.text}.${RECIPIENTS[name]}.push(${recipient(args[0])})` };
    }
    if (RECIPIENTS[name] && method === 'Add' && args.length === 2) {
      return { node: call, text: `${id.text}.${RECIPIENTS[name]}.push(${entries([['name', args[0]], ['address', args[1]]])})` };
    }
    if (RECIPIENTS[name] && method === 'AddRange' && args.length === 1) {
      return { node: call, text: `${id.text}.${RECIPIENTS[name]}.push(...${args[0].getText()})` };
    }
    if (name === 'Attachments' && method === 'AddFileAttachment' && args.length === 2) {
      return { node: call, text: `${id.text}.attachments.push(${entries([['name', args[0]], ['contentBytes', args[1]]])})` };
    }
  }
  refuse(use, `${id.text}.${name} has no Graph translation here`);
}

function importance(e: ts.Expression, q: string): string {
  const level = /Importance\.(Low|Normal|High)$/.exec(e.getText())?.[1];
  if (!level) {
    refuse(e, 'the importance is not Importance.Low/Normal/High');
  }
  return `${q}${level.toLowerCase()}${q}`;
}

/** `new ImpersonatedUserId(ConnectingIdType.SmtpAddress | PrincipalName, address)` → the address. */
function impersonated(e: ts.Expression): string {
  const args = isNewOf(e, 'ImpersonatedUserId') ? (e.arguments ?? []) : [];
  if (args.length !== 2 || !/ConnectingIdType\.(SmtpAddress|PrincipalName)$/.test(args[0].getText())) {
    refuse(e, 'impersonation by something else than an SMTP address or UPN');
  }
  return args[1].getText();
}

/**
 * The rewrite of an ews-javascript-api send path, or why there is none. `creds` is the `new WebCredentials(user,
 * pass)` of the finding; `host` the Exchange Online host of the service URL; `q` the file's quote.
 */
export function ewsSendPlan(creds: ts.NewExpression, host: string | undefined, q: string): EwsSendPlan {
  try {
    return { edits: plan(creds, host, q) };
  } catch (e) {
    if (e instanceof Blocked) {
      return { blocker: e.message };
    }
    throw e;
  }
}

function plan(creds: ts.NewExpression, host: string | undefined, q: string): EwsEdit[] {
  const assign = creds.parent;
  if (!isAssignment(assign) || assign.right !== creds || !ts.isPropertyAccessExpression(assign.left) || assign.left.name.text !== 'Credentials' || !ts.isExpressionStatement(assign.parent)) {
    refuse(creds, 'the credentials are not set by a service.Credentials = ... statement');
  }
  const holder = assign.left.expression;
  const decl = ts.isIdentifier(holder) ? declarationOf(holder) : undefined;
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !isNewOf(decl.initializer, 'ExchangeService')) {
    refuse(assign.parent, 'the ExchangeService is not created in a variable of this file');
  }
  const user = creds.arguments?.[0];
  if (!user) {
    refuse(creds, 'the credentials have no user name');
  }
  const service = decl as ts.VariableDeclaration & { name: ts.Identifier };
  const name = service.name.text;
  const edits: EwsEdit[] = [];
  const settings = new Set<ts.Statement>();
  let impersonation = false;
  for (const id of references(service)) {
    const p = id.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === id && isAssignment(p.parent) && p.parent.left === p && ts.isExpressionStatement(p.parent.parent)) {
      const prop = p.name.text;
      const statement = p.parent.parent;
      if (prop === 'Credentials' && p.parent === assign) {
        continue; // below
      }
      if (prop === 'ImpersonatedUserId') {
        impersonation = true;
        settings.add(statement);
        edits.push({ node: p.parent, text: `${name}.user = ${impersonated(p.parent.right)}` });
        continue;
      }
      if (DROPPED_SERVICE_PROPS.has(prop)) {
        settings.add(statement);
        edits.push({ node: statement, text: null });
        continue;
      }
    }
    if (ts.isNewExpression(p) && p.arguments?.length === 1 && p.arguments[0] === id && isNewOf(p, 'EmailMessage')) {
      const v = p.parent;
      if (!ts.isVariableDeclaration(v) || v.initializer !== p || !ts.isIdentifier(v.name)) {
        refuse(p, 'the EmailMessage is not kept in a variable');
      }
      const message = v as ts.VariableDeclaration & { name: ts.Identifier };
      edits.push({ node: v, text: `${message.name.text} = graphMessage(${name})` });
      for (const use of references(message)) {
        edits.push(messageEdit(use, q));
      }
      continue;
    }
    refuse(p, `the ExchangeService ${name} is used for more than sending`);
  }
  // The user goes into graphMailbox() when nothing but service settings stands between the two statements.
  const declStatement = service.parent.parent;
  const list = declStatement.parent;
  const statements = ts.isSourceFile(list) || ts.isBlock(list) ? [...list.statements] : [];
  const from = statements.indexOf(declStatement);
  const to = statements.indexOf(assign.parent);
  const merge = !impersonation && from >= 0 && to > from && statements.slice(from + 1, to).every((s) => settings.has(s));
  const hostArg = host ? `host: ${q}${host}${q}` : '';
  const args = [merge ? `user: ${user.getText()}` : '', hostArg].filter(Boolean).join(', ');
  edits.push({ node: service, text: `${name} = graphMailbox(${args ? `{ ${args} }` : ''})` });
  edits.push(merge || impersonation ? { node: assign.parent, text: null } : { node: assign, text: `${name}.user = ${user.getText()}` });
  return edits;
}
