/**
 * A text test that decides, without loading the analyzer (ts-morph), whether a document can hold a finding.
 * It is a superset of the core's pre-filter (`mentionsWatchedPackage`): a package-name prefix quoted as a
 * module specifier. test/unit/extension-prefilter.test.ts checks that every watched package matches.
 * No `vscode` import here: unit tests load this file directly.
 */
const PREFIX = /['"`](?:nodemailer|emailjs|imap|mail-listener|mail-notifier|node-pop3|poplib|yapople|@azure\/msal-node|ews-javascript-api|node-ews)/;

export function mayMentionMailPackage(text: string): boolean {
  return PREFIX.test(text);
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
