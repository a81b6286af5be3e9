/**
 * mail-notifier: `withMailNotifierOAuth2(notifier({ user, host }), host)` — a fresh token at every start() (its
 * README restarts on 'end').
 */
import { hookedClientFix } from '../fixes/kit';

export const mailNotifierFix = hookedClientFix('mail-notifier', ['user', 'username']);
