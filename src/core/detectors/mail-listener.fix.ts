/**
 * mail-listener2/5: `withMailListenerOAuth2(new MailListener({ username, host }), host)` — a fresh token at every
 * start(), also when restarted after "server:disconnected".
 */
import { hookedClientFix } from '../fixes/kit';

export const mailListenerFix = hookedClientFix('mail-listener', ['username']);
