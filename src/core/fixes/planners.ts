/** The fix planner of each library with an automatic rewrite (src/core/detectors/<library>.fix.ts). */
import { emailjsFix } from '../detectors/emailjs.fix';
import { imapSimpleFix } from '../detectors/imap-simple.fix';
import { imapFix } from '../detectors/imap.fix';
import { imapflowFix } from '../detectors/imapflow.fix';
import { mailListenerFix } from '../detectors/mail-listener.fix';
import { mailNotifierFix } from '../detectors/mail-notifier.fix';
import { nodePop3Fix } from '../detectors/node-pop3.fix';
import { nodemailerFix } from '../detectors/nodemailer.fix';
import type { LibraryId } from '../model';
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
};
