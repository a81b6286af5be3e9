/** Libraries with an automatic rewrite; the others (poplib, yapople) get a manual guide. */
export const FIXABLE_LIBRARIES: ReadonlySet<string> = new Set([
  'nodemailer',
  'nodemailer-smtp-transport',
  'emailjs',
  'imapflow',
  'imap',
  'imap-simple',
  'mail-listener',
  'mail-notifier',
  'node-pop3',
  'msal-node',
]);
