/**
 * What the per-library fix planners share (src/core/detectors/<library>.fix.ts): the state of a file being
 * rewritten, and the edits they are made of — find the password property, replace or drop properties, wrap a
 * client's creation in a provider hook. Every check runs before the first change, so a refused finding leaves its
 * files untouched.
 */
import { Node, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import type { Finding } from '../model';
import { PROVIDER_PARTS, type ProviderPart } from './provider/render';

/** The rewrite cannot be done automatically; the message says why (shown to the user). */
export class NotFixable extends Error {}

export interface FileState {
  file: string;
  original: string;
  sf: SourceFile;
  quote: string;
  semi: string;
  /** The provider hooks this file's rewritten code uses (their functions are imported). */
  parts: Set<ProviderPart>;
  /** `await` is allowed at the top level (an ES module that Node runs as such). */
  topLevelAwait: boolean;
}

/** One finding, located in the current texts. */
export interface RewriteInput {
  finding: Finding;
  /** The call or `new` expression the finding points at. */
  call: Node;
  /** The file of the call. */
  main: FileState;
  /** The password (or URL) node, when the finding has one; it may sit in another file. */
  passNode: Node | undefined;
  passState: FileState;
  /** Adds a step the user must take after the fix (shown with the manual steps). */
  note: (text: string) => void;
}

/** A library's rewrite: changes the files in place and returns those whose code now uses the provider. */
export interface LibraryFix {
  rewrite(input: RewriteInput): FileState[];
}

/**
 * Wraps the client's creation in the provider's hook for its library: `withEmailjsOAuth2(new SMTPClient(...), host)`.
 * The hook fetches a token each time the client logs in, so the client can be created anywhere (module level,
 * a synchronous function) and can reconnect after its first token expired.
 */
export function wrapClient(call: Node, main: FileState, passState: FileState, part: ProviderPart, finding: Finding): FileState[] {
  const [helper] = PROVIDER_PARTS[part];
  call.replaceWithText(`${helper}(${dedentedText(call)}${hostArgument(finding, main)})`);
  main.parts.add(part);
  return passState === main ? [main] : [passState, main];
}

/** A node's text without its own indentation on continuation lines (ts-morph adds it back when replacing). */
export function dedentedText(node: Node): string {
  const indent = node.getIndentationText().length;
  const [first, ...rest] = node.getText().split('\n');
  const strip = new RegExp(`^[ \\t]{0,${indent}}`);
  return [first, ...rest.map((l) => l.replace(strip, ''))].join('\n');
}

export function hostArgument(finding: Finding, st: FileState): string {
  return finding.host ? `, ${st.quote}${finding.host}${st.quote}` : '';
}

/** The property node of the password (or `auth`) and its object literal. */
export function passwordProperty(node: Node | undefined, names: string[]): { obj: ObjectLiteralExpression; prop: Node & { getName(): string } } {
  let n = node;
  while (n && !Node.isPropertyAssignment(n) && !Node.isShorthandPropertyAssignment(n)) {
    n = n.getParent();
    if (n && Node.isObjectLiteralExpression(n)) {
      n = undefined;
    }
  }
  if (!n || !(Node.isPropertyAssignment(n) || Node.isShorthandPropertyAssignment(n)) || !names.includes(propertyName(n))) {
    throw new NotFixable('the password is not set by a property written in the code');
  }
  const obj = n.getParent();
  if (!Node.isObjectLiteralExpression(obj)) {
    throw new NotFixable('the password is not in an object literal');
  }
  return { obj, prop: n };
}

/**
 * In TypeScript the libraries' typings (@types/imap, node-pop3) require a `password` key even for
 * XOAUTH2: keep it, empty. JavaScript drops it.
 */
export function typedPasswordKey(st: FileState): string[] {
  return /\.(ts|tsx|mts|cts)$/.test(st.file) ? [`password: ${st.quote}${st.quote}`] : [];
}

/** `await` is allowed here: inside an async function, or at the top level of an ES module. */
export function canAwaitAt(node: Node, st: FileState): boolean {
  const fn = node.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a) || Node.isArrowFunction(a) || Node.isMethodDeclaration(a));
  return fn ? (fn as unknown as { isAsync(): boolean }).isAsync() : st.topLevelAwait;
}

/** The user expression to put in the SASL string: the sibling user property, or the scanned value. */
export function userExpression(obj: ObjectLiteralExpression, names: string[], finding: Finding): string {
  for (const n of names) {
    const p = obj.getProperties().find((q) => propertyName(q) === n);
    if (p && Node.isPropertyAssignment(p)) {
      return p.getInitializerOrThrow().getText();
    }
    if (p && Node.isShorthandPropertyAssignment(p)) {
      return p.getName();
    }
  }
  if (finding.fix.userText) {
    return finding.fix.userText;
  }
  throw new NotFixable('the mailbox user name is not set next to the password');
}

/** Replaces the first of `remove` found (in place) by `add`, and deletes the others. */
export function replaceProps(obj: ObjectLiteralExpression, remove: string[], add: string[]): void {
  const props = obj.getProperties();
  const idx = props.findIndex((p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) && remove.includes(propertyName(p)));
  if (idx < 0) {
    throw new NotFixable('nothing to replace');
  }
  const doomed = props.filter((p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) && remove.includes(propertyName(p)));
  const trailingComma = /,\s*\}$/.test(obj.getText());
  const first = props[idx];
  if (add.length) {
    // ts-morph indents continuation lines to the replaced property's own indentation.
    first.replaceWithText(add.join(obj.getText().includes('\n') ? ',\n' : ', '));
  }
  for (const p of doomed) {
    if ((p !== first || !add.length) && !p.wasForgotten()) {
      p.remove();
    }
  }
  const rest = obj.getProperties();
  if (trailingComma && rest.length && !/,\s*\}$/.test(obj.getText())) {
    // removing the last property took the trailing comma of the one before with it
    rest[rest.length - 1].replaceWithText(`${rest[rest.length - 1].getText()},`);
  }
}

/**
 * The rewrite of libraries whose client takes `password` next to a user name and reads it when it logs in: the
 * password goes (kept empty in TypeScript, where the typings require it) and the client's creation is wrapped in
 * the provider's hook for the library.
 */
export function hookedClientFix(part: ProviderPart, userKeys: string[]): LibraryFix {
  return {
    rewrite({ finding, call, main, passNode, passState }) {
      const { obj } = passwordProperty(passNode, ['password']);
      userExpression(obj, userKeys, finding);
      replaceProps(obj, ['password'], typedPasswordKey(passState));
      return wrapClient(call, main, passState, part, finding);
    },
  };
}

/**
 * The `type: 'OAuth2'` value to write in `obj`. TypeScript widens a string in an object literal that nothing types
 * (`const transport = { auth: { type: 'OAuth2' } }`, later passed to createTransport) to `string`, which the
 * libraries' typings reject: there it is written `'OAuth2' as const`. An object the code passes or types directly
 * (a call's argument, `satisfies`, an annotated variable, a factory's result) keeps the plain literal.
 */
export function oauth2TypeValue(obj: ObjectLiteralExpression, st: FileState): string {
  const literal = `${st.quote}OAuth2${st.quote}`;
  return /\.(ts|tsx|mts|cts)$/.test(st.file) && !isContextuallyTyped(obj) ? `${literal} as const` : literal;
}

function isContextuallyTyped(obj: Node): boolean {
  let e: Node = obj;
  for (;;) {
    const parent = e.getParent();
    if (!parent) {
      return false;
    }
    if (Node.isParenthesizedExpression(parent) || (Node.isPropertyAssignment(parent) && parent.getInitializer() === e)) {
      e = parent;
    } else if (Node.isObjectLiteralExpression(parent) || Node.isArrayLiteralExpression(parent)) {
      e = parent;
    } else if (Node.isCallExpression(parent) || Node.isNewExpression(parent)) {
      return parent.getArguments().includes(e);
    } else if (Node.isSatisfiesExpression(parent) || Node.isAsExpression(parent) || Node.isTypeAssertion(parent)) {
      return true;
    } else if (Node.isVariableDeclaration(parent) || Node.isPropertyDeclaration(parent) || Node.isParameterDeclaration(parent)) {
      return parent.getTypeNode() !== undefined;
    } else if (Node.isArrowFunction(parent) || Node.isReturnStatement(parent)) {
      const fn = Node.isArrowFunction(parent) ? parent : parent.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a));
      if (!fn || (Node.isFunctionLikeDeclaration(fn) && fn.getReturnTypeNode())) {
        return fn !== undefined;
      }
      // a factory passed on (`useFactory: () => ({ transport })`, `register(() => ({ ... }))`) is typed by its receiver
      e = fn;
      const up = e.getParent();
      if (!up || !(Node.isPropertyAssignment(up) || Node.isCallExpression(up) || Node.isNewExpression(up))) {
        return false;
      }
    } else {
      return false;
    }
  }
}

/** A property's name as written, without quotes (`"pass"` in a JSON file is `pass`). */
export function propertyName(p: Node): string {
  if (Node.isPropertyAssignment(p)) {
    const name = p.getNameNode();
    return Node.isStringLiteral(name) ? name.getLiteralValue() : name.getText();
  }
  return Node.isShorthandPropertyAssignment(p) ? p.getName() : '';
}

/** Options kept in a JSON file: the code can be changed only where they are used. */
export function isJson(st: FileState): boolean {
  return /\.json$/i.test(st.file);
}
