/**
 * emailjs: `withEmailjsOAuth2(new SMTPClient({ user, host, authentication: ['XOAUTH2'] }), host)`. emailjs reads the
 * password at every login; the hook puts a fresh token there. XOAUTH2 only, or emailjs would send the token as a
 * LOGIN password.
 */
import { isJson, passwordProperty, replaceProps, wrapClient, type LibraryFix } from '../fixes/kit';

export const emailjsFix: LibraryFix = {
  rewrite({ finding, call, main, passNode, passState }) {
    const q = passState.quote;
    const { obj } = passwordProperty(passNode, ['password']);
    // in a JSON file, JSON
    const only = isJson(passState) ? '"authentication": ["XOAUTH2"]' : `authentication: [${q}XOAUTH2${q}]`;
    replaceProps(obj, ['password', 'authentication'], [only]);
    return wrapClient(call, main, passState, 'emailjs', finding);
  },
};
