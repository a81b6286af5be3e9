/** Libraries with an automatic rewrite; the others (poplib, yapople, node-ews) get a manual guide. */
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
  // the send path only, to Microsoft Graph (the rest: docs/manual-ews.md)
  'ews-javascript-api',
]);
