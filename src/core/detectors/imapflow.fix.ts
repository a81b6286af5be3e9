/**
 * imapflow: `withImapFlowOAuth2(new ImapFlow({ auth: { user } }), host)`: the token is fetched in connect(), not
 * when the client is created (which may be long before).
 */
import { passwordProperty, replaceProps, userExpression, wrapClient, type LibraryFix } from '../fixes/kit';

export const imapflowFix: LibraryFix = {
  rewrite({ finding, call, main, passNode, passState }) {
    const { obj } = passwordProperty(passNode, ['pass']);
    userExpression(obj, ['user'], finding);
    replaceProps(obj, ['pass', 'loginMethod'], []);
    return wrapClient(call, main, passState, 'imapflow', finding);
  },
};
