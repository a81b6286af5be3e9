/**
 * Whether the automatic rewrite can handle a finding, decided on the analysis tree (cheap, no
 * ts-morph). Mirrors the checks the planners make; the reason becomes the finding's manual guide.
 */
import { ts } from '../ts';
import type { LibraryId } from '../model';
import { FIXABLE_LIBRARIES } from './libraries';

function passwordProp(node: ts.Node | undefined, names: string[]): ts.ObjectLiteralElementLike | undefined {
  let n = node;
  while (n && !ts.isPropertyAssignment(n) && !ts.isShorthandPropertyAssignment(n) && !ts.isObjectLiteralExpression(n)) {
    n = n.parent;
  }
  if (n && (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && names.includes(n.name.text)) {
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
        // a URL written in the code becomes options; one from a variable or the environment is converted at run time
        return passwordNode ? undefined : 'the connection URL is not visible in the code: replace it with host/port options and auth { type: "OAuth2" }';
      }
      return passwordProp(passwordNode, ['pass', 'auth']) ? undefined : NOT_INLINE;
    case 'imap-simple':
      // imaps.connect(options) is wrapped: await withImapSimpleOAuth2(options), or .then() where await cannot go
      if (!ts.isCallExpression(site) || site.arguments.length !== 1) {
        return 'imaps.connect() is not called with one options argument: pass the options object, then apply the fix';
      }
      return passwordProp(passwordNode, ['password']) ? undefined : NOT_INLINE;
    case 'imapflow':
      return passwordProp(passwordNode, ['pass']) ? undefined : NOT_INLINE;
    // The client's creation is wrapped in a hook that fetches a token whenever it logs in: no await needed, so
    // module-level clients and synchronous functions are fine.
    case 'emailjs':
    case 'imap':
    case 'mail-listener':
    case 'mail-notifier':
    case 'node-pop3':
      return passwordProp(passwordNode, ['password']) ? undefined : NOT_INLINE;
    default:
      return undefined;
  }
}
