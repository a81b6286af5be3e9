/**
 * imapflow: `withImapFlowOAuth2(new ImapFlow({ auth: { user } }), host)`: the token is fetched in connect(), not
 * when the client is created (which may be long before), and the returned stand-in replaces the ImapFlow when the
 * server ends the session (Exchange at token expiry), so 'close' then only follows the app's own logout()/close().
 */
import { passwordProperty, replaceProps, userExpression, wrapClient, type LibraryFix } from '../fixes/kit';

export const imapflowFix: LibraryFix = {
  rewrite({ finding, call, main, passNode, passState, note }) {
    const { obj } = passwordProperty(passNode, ['pass']);
    userExpression(obj, ['user'], finding);
    replaceProps(obj, ['pass', 'loginMethod'], []);
    if (/\.(on|once|addListener)\(\s*['"`]close['"`]/.test(main.sf.getFullText())) {
      note(`${main.file}: the imapflow client now logs in again by itself when the server ends the session (it emits 'reconnected'), and 'close' comes only after your own logout() or close(): code that creates a new client on 'close' is no longer needed.`);
    }
    return wrapClient(call, main, passState, 'imapflow', finding);
  },
};
