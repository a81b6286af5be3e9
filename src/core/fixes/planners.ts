/** The fix planner of each library with an automatic rewrite (src/core/detectors/<library>.fix.ts). */
import { emailjsFix } from '../detectors/emailjs.fix';
import { ewsGraphFix } from '../detectors/ews.fix';
import { imapSimpleFix } from '../detectors/imap-simple.fix';
import { imapFix } from '../detectors/imap.fix';
import { imapflowFix } from '../detectors/imapflow.fix';
import { mailListenerFix } from '../detectors/mail-listener.fix';
import { mailNotifierFix } from '../detectors/mail-notifier.fix';
import { msalPasswordGrantFix } from '../detectors/msal-password-grant.fix';
import { nodePop3Fix } from '../detectors/node-pop3.fix';
import { nodemailerOutlookFix } from '../detectors/nodemailer-outlook.fix';
import { nodemailerFix } from '../detectors/nodemailer.fix';
import { nodemailerGraphFix } from '../detectors/nodemailer.graph.fix';
import type { Finding, LibraryId } from '../model';
import type { LibraryFix } from './kit';

export const LIBRARY_FIXES: Partial<Record<LibraryId, LibraryFix>> = {
  nodemailer: nodemailerFix,
  'nodemailer-smtp-transport': nodemailerFix,
  emailjs: emailjsFix,
  imapflow: imapflowFix,
  imap: imapFix,
  'imap-simple': imapSimpleFix,
  'mail-listener': mailListenerFix,
  'mail-notifier': mailNotifierFix,
  'node-pop3': nodePop3Fix,
  'msal-node': msalPasswordGrantFix,
  // XOAUTH2 does not exist for EWS: the default fix moves its send path to Graph too
  'ews-javascript-api': ewsGraphFix,
};

/** Frameworks whose rewrite is not their library's: nodejs-nodemailer-outlook's call is replaced, not its options. */
const FRAMEWORK_FIXES: Record<string, LibraryFix> = {
  'nodejs-nodemailer-outlook': nodemailerOutlookFix,
};

/** `fix --to graph`: SMTP sending (nodemailer transports) and EWS sending rewritten to Microsoft Graph sendMail. */
export const GRAPH_FIXES: Partial<Record<LibraryId, LibraryFix>> = {
  nodemailer: nodemailerGraphFix,
  'nodemailer-smtp-transport': nodemailerGraphFix,
  'ews-javascript-api': ewsGraphFix,
};

/** The rewrite of a finding for a fix target, if there is one. */
export function plannerFor(finding: Finding, to: 'xoauth2' | 'graph' = 'xoauth2'): LibraryFix | undefined {
  const framework = FRAMEWORK_FIXES[finding.fix.framework ?? ''];
  if (framework) {
    return to === 'graph' ? undefined : framework;
  }
  return (to === 'graph' ? GRAPH_FIXES : LIBRARY_FIXES)[finding.library];
}

/** Why a finding gets no Graph rewrite. */
export function graphNotOffered(finding: Finding): string {
  if (finding.protocol !== 'smtp') {
    return `Microsoft Graph sendMail replaces sending only; this ${finding.library} client reads mail over ${finding.protocol.toUpperCase()}: fix it with --to xoauth2`;
  }
  const what = FRAMEWORK_FIXES[finding.fix.framework ?? ''] ? finding.fix.framework : finding.library;
  return `the Microsoft Graph rewrite is for nodemailer transports and ews-javascript-api sends; fix ${what} with --to xoauth2`;
}
