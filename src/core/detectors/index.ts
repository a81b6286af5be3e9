/** Detector registry: adding a library means one file, one line here and one fixture folder. */
import { emailjsPasswordAuth } from './emailjs';
import { ewsJavascriptApiPasswordAuth, nodeEwsPasswordAuth } from './ews';
import { emailjsImapClientPasswordAuth } from './emailjs-imap-client';
import { imapPasswordAuth } from './imap';
import { imapSimplePasswordAuth } from './imap-simple';
import { imapflowPasswordAuth } from './imapflow';
import { mailListenerPasswordAuth } from './mail-listener';
import { mailNotifierPasswordAuth } from './mail-notifier';
import { msalPasswordGrant } from './msal-password-grant';
import { nodePop3PasswordAuth } from './node-pop3';
import { nodemailerPasswordAuth, nodemailerSmtpTransportPasswordAuth } from './nodemailer';
import { poplibPasswordAuth } from './poplib';
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
];

/** Every npm package any detector binds to; the text pre-filter looks for these as module specifiers. */
export const watchedPackages: readonly string[] = [...new Set(detectors.flatMap((d) => d.packages))];

export type { CallSite, Detector, DetectorContext, DetectorOptions } from './types';
