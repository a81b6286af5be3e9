/**
 * Static rule metadata (no TypeScript compiler import), so the CLI can print reports and pre-filter
 * files without loading the analyzer. test/unit/rule-meta.test.ts keeps it in step with the detectors.
 */
import type { FindingProtocol, LibraryId } from './model';

export interface RuleMeta {
  id: string;
  library: LibraryId;
  protocol: FindingProtocol;
  /** npm packages the detector binds to. */
  packages: readonly string[];
  manual?: string;
  /** Title and help when the rule is not a protocol login (the MSAL password grant). */
  title?: string;
  help?: string;
}

export const POP3_MANUAL =
  'This library cannot authenticate with XOAUTH2: replace it with node-pop3 (AUTH XOAUTH2 via command()) or imapflow, using a token from @azure/msal-node (see docs/manual-pop3.md).';

export const EWS_MANUAL =
  'Move this code to Microsoft Graph (mail, calendar, contacts; see docs/manual-ews.md): EWS with OAuth only lasts until 1 Apr 2027.';

export const MAIL_LISTENER_PACKAGES = ['mail-listener2', 'mail-listener4', 'mail-listener5', 'mail-listener6', 'mail-listener-fixed'];

export const RULES: readonly RuleMeta[] = [
  { id: 'nodemailer-password-auth', library: 'nodemailer', protocol: 'smtp', packages: ['nodemailer'] },
  { id: 'nodemailer-smtp-transport-password-auth', library: 'nodemailer-smtp-transport', protocol: 'smtp', packages: ['nodemailer-smtp-transport'] },
  { id: 'emailjs-password-auth', library: 'emailjs', protocol: 'smtp', packages: ['emailjs'] },
  { id: 'imapflow-password-auth', library: 'imapflow', protocol: 'imap', packages: ['imapflow'] },
  { id: 'imap-password-auth', library: 'imap', protocol: 'imap', packages: ['imap'] },
  { id: 'imap-simple-password-auth', library: 'imap-simple', protocol: 'imap', packages: ['imap-simple'] },
  { id: 'mail-listener-password-auth', library: 'mail-listener', protocol: 'imap', packages: MAIL_LISTENER_PACKAGES },
  { id: 'mail-notifier-password-auth', library: 'mail-notifier', protocol: 'imap', packages: ['mail-notifier'] },
  { id: 'emailjs-imap-client-password-auth', library: 'emailjs-imap-client', protocol: 'imap', packages: ['emailjs-imap-client'] },
  { id: 'node-pop3-password-auth', library: 'node-pop3', protocol: 'pop3', packages: ['node-pop3'] },
  { id: 'poplib-password-auth', library: 'poplib', protocol: 'pop3', packages: ['poplib'], manual: POP3_MANUAL },
  { id: 'yapople-password-auth', library: 'yapople', protocol: 'pop3', packages: ['yapople'], manual: POP3_MANUAL },
  {
    id: 'ews-javascript-api-password-auth',
    library: 'ews-javascript-api',
    protocol: 'ews',
    packages: ['ews-javascript-api'],
    manual: EWS_MANUAL,
    title: 'ews-javascript-api: password login to Exchange Web Services in Exchange Online',
    help: `EWS Basic authentication in Exchange Online has been off since October 2022; EWS is blocked from 1 Oct 2026 and retired on 1 Apr 2027. ${EWS_MANUAL}`,
  },
  {
    id: 'node-ews-password-auth',
    library: 'node-ews',
    protocol: 'ews',
    packages: ['node-ews'],
    manual: EWS_MANUAL,
    title: 'node-ews: password login to Exchange Web Services in Exchange Online',
    help: `EWS Basic authentication in Exchange Online has been off since October 2022; EWS is blocked from 1 Oct 2026 and retired on 1 Apr 2027. ${EWS_MANUAL}`,
  },
  {
    id: 'msal-password-grant',
    library: 'msal-node',
    protocol: 'imap',
    packages: ['@azure/msal-node'],
    title: "MSAL username/password grant for a mail token (Exchange Online or Microsoft Graph mail)",
    help: "acquireTokenByUsernamePassword (ROPC) is deprecated in every MSAL, fails for MFA and federated users and keeps a password in the app. Get the mail token with client credentials (secret or certificate), or a device code sign-in for Outlook.com accounts.",
  },
];

/** Framework adapters: they report under the nodemailer rule (`nodemailer-password-auth`). */
export interface FrameworkMeta {
  id: string;
  framework: string;
  /** Module specifiers the adapter binds to (a subpath matches too). */
  packages: readonly string[];
}

export const FRAMEWORKS: readonly FrameworkMeta[] = [
  { id: 'next-auth-email-provider', framework: 'NextAuth / Auth.js', packages: ['next-auth/providers/email', 'next-auth/providers/nodemailer', 'next-auth/providers', '@auth/core/providers/nodemailer'] },
  { id: 'nestjs-mailer', framework: '@nestjs-modules/mailer', packages: ['@nestjs-modules/mailer'] },
  { id: 'email-templates', framework: 'email-templates', packages: ['email-templates'] },
  { id: 'payload-email', framework: 'Payload', packages: ['@payloadcms/email-nodemailer', 'payload'] },
  { id: 'strapi-email', framework: 'Strapi email plugin', packages: [] },
  { id: 'meteor-mail-url', framework: 'Meteor MAIL_URL', packages: [] },
  { id: 'nodejs-nodemailer-outlook', framework: 'nodejs-nodemailer-outlook', packages: ['nodejs-nodemailer-outlook'] },
];

/** Every npm package a detector binds to; the text pre-filter looks for these in import positions. */
export const WATCHED_PACKAGES: readonly string[] = [...new Set([...RULES, ...FRAMEWORKS].flatMap((r) => r.packages))];

/**
 * Packages the pre-filter admits only with a keyword in the same file: every Payload collection imports
 * `payload`, only its mail config says `transportOptions`.
 */
export const KEYWORD_PACKAGES: Readonly<Record<string, string>> = { payload: 'transportOptions' };

/** Strapi's plugin config: `config/plugins.js`, `config/env/production/plugins.ts`, ... */
export const STRAPI_PLUGINS_FILE = /[\\/]config[\\/](?:env[\\/][^\\/]+[\\/])?plugins\.[cm]?[jt]s$/;

/** Meteor's `process.env.MAIL_URL = ...` (or `process.env['MAIL_URL'] = ...`). */
export const MAIL_URL_ASSIGNMENT = /\bprocess\.env(?:\.MAIL_URL|\[\s*['"`]MAIL_URL['"`]\s*\])\s*=(?!=)/;

/** Files that configure mail without importing a watched package: Strapi plugin configs, MAIL_URL assignments. */
export function isFrameworkConfig(file: string, text: string): boolean {
  return (STRAPI_PLUGINS_FILE.test(file) && text.includes('email')) || (text.includes('MAIL_URL') && MAIL_URL_ASSIGNMENT.test(text));
}
