/**
 * A text test that decides, without loading the analyzer (ts-morph), whether a document can hold a finding.
 * It is a superset of the core's pre-filter (`mentionsWatchedPackage`): a package-name prefix quoted as a
 * module specifier. test/unit/extension-prefilter.test.ts checks that every watched package matches.
 * Framework configs count too: the framework packages (NextAuth, NestJS mailer, email-templates, Payload,
 * nodejs-nodemailer-outlook), Strapi's config/plugins.js and Meteor's `process.env.MAIL_URL = ...`.
 * No `vscode` import here: unit tests load this file directly.
 */
const PREFIX =
  /['"`](?:nodemailer|nodejs-nodemailer|emailjs|imap|mail-listener|mail-notifier|node-pop3|poplib|yapople|next-auth\/providers|@auth\/core\/providers\/nodemailer|@nestjs-modules\/mailer|email-templates|@payloadcms\/email-nodemailer|payload|@azure\/msal-node|ews-javascript-api|node-ews)/;

/** Mirrors STRAPI_PLUGINS_FILE of src/core/rule-meta.ts (this bundle must not pull core modules in). */
const STRAPI_PLUGINS_FILE = /[\\/]config[\\/](?:env[\\/][^\\/]+[\\/])?plugins\.[cm]?[jt]s$/;

/** `file` (the document's path) lets Strapi's config/plugins.js in: it imports nothing. */
export function mayMentionMailPackage(text: string, file = ''): boolean {
  return PREFIX.test(text) || text.includes('MAIL_URL') || (STRAPI_PLUGINS_FILE.test(file) && text.includes('email'));
}

/** Language ids the extension analyses (.js/.mjs/.cjs are `javascript`, .mts/.cts are `typescript`). */
export const LANGUAGES: readonly string[] = [
  'javascript',
  'typescript',
  'javascriptreact',
  'typescriptreact',
];

/** Rule docs (mirrors DOCS_BASE in src/core/report/rules.ts; used only when the core does not export ruleInfo). */
export const DOCS_BASE = 'https://github.com/mail-oauth-migrator/mail-oauth-migrator/blob/main/docs/rules.md';

/** Mirrors isSourceFile of src/core/files.ts: a JS/TS source the scan analyses (not a declaration file). */
export function isSourceFile(file: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/i.test(file) && !/\.d\.[cm]?ts$/i.test(file);
}
