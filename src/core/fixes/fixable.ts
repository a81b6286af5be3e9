/**
 * Whether the automatic rewrite can handle a finding, decided on the analysis tree (cheap, no
 * ts-morph). Mirrors the checks the planners make; the reason becomes the finding's manual guide.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from '../ts';
import type { LibraryId } from '../model';
import { FIXABLE_LIBRARIES } from './libraries';

const typeCache = new Map<string, boolean>();

/** True when `.js` files next to `file` are ES modules (nearest package.json has "type": "module"). */
export function isModulePackage(file: string): boolean {
  let dir = path.dirname(file);
  const seen: string[] = [];
  for (;;) {
    const hit = typeCache.get(dir);
    if (hit !== undefined) {
      seen.forEach((d) => typeCache.set(d, hit));
      return hit;
    }
    seen.push(dir);
    try {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: string };
      const v = json.type === 'module';
      seen.forEach((d) => typeCache.set(d, v));
      return v;
    } catch {
      /* no (readable) package.json here */
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      seen.forEach((d) => typeCache.set(d, false));
      return false;
    }
    dir = parent;
  }
}

function canAwait(node: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isFunctionLike(n) && !ts.isSourceFile(n)) {
      const async = ts.getCombinedModifierFlags(n) & ts.ModifierFlags.Async;
      return async
        ? undefined
        : 'the client is created in a synchronous function, where a token cannot be awaited: make the function async (or create the client where a token can be awaited), then apply the fix';
    }
  }
  const file = node.getSourceFile().fileName;
  if (/\.mjs$/.test(file) || (/\.js$/.test(file) && isModulePackage(file))) {
    return undefined;
  }
  return 'the client is created at the top level of a module where a token cannot be awaited: move it into an async function, then apply the fix';
}

function passwordProp(node: ts.Node | undefined, names: string[]): ts.ObjectLiteralElementLike | undefined {
  let n = node;
  while (n && !ts.isPropertyAssignment(n) && !ts.isShorthandPropertyAssignment(n) && !ts.isObjectLiteralExpression(n)) {
    n = n.parent;
  }
  if (n && (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && ts.isIdentifier(n.name) && names.includes(n.name.text)) {
    return n;
  }
  return undefined;
}

/** Undefined when the rewrite applies; otherwise why not (shown as the manual guide). */
export function fixBlocker(library: LibraryId, site: ts.Node, passwordNode: ts.Node | undefined, viaUrl: boolean): string | undefined {
  if (!FIXABLE_LIBRARIES.has(library)) {
    return undefined;
  }
  const NOT_INLINE = 'the password is not set by a property written in the code (it comes from a variable or another object): rewrite the auth options by hand';
  switch (library) {
    case 'nodemailer':
    case 'nodemailer-smtp-transport':
      if (viaUrl) {
        return passwordNode && (ts.isStringLiteral(passwordNode) || ts.isNoSubstitutionTemplateLiteral(passwordNode) || ts.isTemplateExpression(passwordNode))
          ? undefined
          : 'the connection URL comes from a variable or the environment: replace it with host/port options and auth { type: "OAuth2" }';
      }
      return passwordProp(passwordNode, ['pass', 'auth']) ? undefined : NOT_INLINE;
    case 'imapflow': {
      const p = passwordProp(passwordNode, ['pass']);
      return p ? canAwait(p) : NOT_INLINE;
    }
    case 'imap-simple': {
      const p = passwordProp(passwordNode, ['password']);
      if (!p) {
        return NOT_INLINE;
      }
      // Either the options can take an awaited token, or the connect() call can wrap them.
      return canAwait(p) === undefined || (ts.isCallExpression(site) && site.arguments.length === 1 && canAwait(site) === undefined)
        ? undefined
        : canAwait(p);
    }
    case 'emailjs':
    case 'imap':
    case 'mail-listener':
    case 'mail-notifier': {
      const p = passwordProp(passwordNode, ['password']);
      return p ? canAwait(p) : NOT_INLINE;
    }
    case 'node-pop3': {
      const p = passwordProp(passwordNode, ['password']);
      if (!p || p.getSourceFile() !== site.getSourceFile()) {
        return NOT_INLINE;
      }
      let n: ts.Node = site.parent;
      while (ts.isParenthesizedExpression(n) || ts.isAsExpression(n)) {
        n = n.parent;
      }
      if (!ts.isVariableDeclaration(n) || !ts.isIdentifier(n.name)) {
        return 'the node-pop3 client is not assigned to a variable: assign it (const pop3 = new Pop3Command(...)) and apply the fix';
      }
      return canAwait(n);
    }
    default:
      return undefined;
  }
}
