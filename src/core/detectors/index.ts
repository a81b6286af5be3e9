/** Detector registry: adding a library means one file, one line here and one fixture folder. */
import type { Intrinsic } from '../resolve';
import { emailTemplates } from './email-templates';
import { emailjsPasswordAuth } from './emailjs';
import { ewsJavascriptApiPasswordAuth, nodeEwsPasswordAuth } from './ews';
import { emailjsImapClientPasswordAuth } from './emailjs-imap-client';
import { imapPasswordAuth } from './imap';
import { imapSimplePasswordAuth } from './imap-simple';
import { imapflowPasswordAuth } from './imapflow';
import { mailListenerPasswordAuth } from './mail-listener';
import { mailNotifierPasswordAuth } from './mail-notifier';
import { meteorMailUrl } from './meteor';
import { msalPasswordGrant } from './msal-password-grant';
import { nestjsMailer } from './nestjs-mailer';
import { nextAuthEmailProvider } from './next-auth';
import { nodePop3PasswordAuth } from './node-pop3';
import { nodemailerPasswordAuth, nodemailerSmtpTransportPasswordAuth } from './nodemailer';
import { nodemailerOutlook } from './nodemailer-outlook';
import { payloadEmail } from './payload';
import { poplibPasswordAuth } from './poplib';
import { NODE_CONFIG_INTRINSICS } from './node-config';
import { strapiEmail } from './strapi';
import type { Detector } from './types';
import { yapoplePasswordAuth } from './yapople';

export const detectors: readonly Detector[] = [
  nodemailerPasswordAuth,
  nodemailerSmtpTransportPasswordAuth,
  emailjsPasswordAuth,
  imapflowPasswordAuth,
  imapPasswordAuth,
  imapSimplePasswordAuth,
  mailListenerPasswordAuth,
  mailNotifierPasswordAuth,
  emailjsImapClientPasswordAuth,
  nodePop3PasswordAuth,
  poplibPasswordAuth,
  yapoplePasswordAuth,
  ewsJavascriptApiPasswordAuth,
  nodeEwsPasswordAuth,
  msalPasswordGrant,
  // Framework adapters: they report under the nodemailer rule (see Detector.reportAs).
  nextAuthEmailProvider,
  nestjsMailer,
  emailTemplates,
  payloadEmail,
  strapiEmail,
  meteorMailUrl,
  nodemailerOutlook,
];

/** Detectors that look at whole files (configs that are not calls into a package). */
export const fileDetectors: readonly Detector[] = detectors.filter((d) => d.detectFile !== undefined);

/** Package functions every evaluator knows (env helpers of the frameworks). */
export const intrinsics: ReadonlyMap<string, Intrinsic> = new Map([
  ...detectors.flatMap((d) => Object.entries(d.intrinsics ?? {})),
  ...Object.entries(NODE_CONFIG_INTRINSICS),
]);

/** Every npm package any detector binds to; the text pre-filter looks for these as module specifiers. */
export const watchedPackages: readonly string[] = [...new Set(detectors.flatMap((d) => d.packages))];

export type { CallSite, Detector, DetectorContext, DetectorOptions } from './types';
