/**
 * node-pop3: `withPop3OAuth2(new Pop3Command({ user, host }), host)` — node-pop3 logs in whenever a command finds
 * no connection (the first command, after QUIT); the hook does it with AUTH XOAUTH2 and a fresh token.
 */
import { hookedClientFix } from '../fixes/kit';

export const nodePop3Fix = hookedClientFix('node-pop3', ['user']);
