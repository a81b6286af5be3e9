/**
 * node-imap: `withImapOAuth2(new Imap({ user, host }), host)` — a fresh `xoauth2` each time connect() logs in,
 * also after end().
 */
import { hookedClientFix } from '../fixes/kit';

export const imapFix = hookedClientFix('imap', ['user']);
