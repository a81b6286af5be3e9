/**
 * MSAL password grant → the generated provider's token: `await pca.acquireTokenByUsernamePassword({ scopes,
 * username, password })` becomes `await getMailAccessToken('imap')` (or 'smtp', 'pop3', 'graph' after the scope),
 * which uses client credentials (or a device code sign-in for Outlook.com). The result keeps `accessToken`; its
 * `expiresOn` is epoch milliseconds instead of a Date.
 */
import { Node } from 'ts-morph';
import { NotFixable, type LibraryFix } from '../fixes/kit';

export const msalPasswordGrantFix: LibraryFix = {
  rewrite({ finding, call, main }) {
    const kind = finding.fix.tokenProtocol;
    if (!kind || !Node.isCallExpression(call)) {
      throw new NotFixable('not an acquireTokenByUsernamePassword() call with a mail scope');
    }
    if (!finding.fixable) {
      throw new NotFixable(finding.fix.manual ?? 'the call cannot be rewritten automatically');
    }
    const q = main.quote;
    // the cloud of a sovereign Exchange Online host; the global cloud needs no host
    const sovereign = finding.host && /\.(us|cn)$/.test(finding.host) ? `, { host: ${q}${finding.host}${q} }` : '';
    call.replaceWithText(`getMailAccessToken(${q}${kind}${q}${sovereign})`);
    main.parts.add('token');
    return [main];
  },
};
