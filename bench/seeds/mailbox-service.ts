import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';

interface MailboxCredentials {
  user: string;
  pass: string;
}

// One class, two password logins: SMTP for sending and IMAP for reading replies.
export class MailboxService {
  private readonly smtp;
  private readonly imap: ImapFlow;

  constructor(private readonly creds: MailboxCredentials) {
    this.smtp = nodemailer.createTransport({
      host: 'smtp.office365.com',
      port: 587,
      secure: false,
      auth: { user: creds.user, pass: creds.pass },
    });
    this.imap = new ImapFlow({
      host: 'outlook.office365.com',
      port: 993,
      secure: true,
      auth: { user: creds.user, pass: creds.pass },
    });
  }

  async send(to: string, subject: string, text: string): Promise<void> {
    await this.smtp.sendMail({ from: this.creds.user, to, subject, text });
  }

  async latestSubjects(limit = 10): Promise<string[]> {
    await this.imap.connect();
    const lock = await this.imap.getMailboxLock('INBOX');
    const subjects: string[] = [];
    try {
      for await (const msg of this.imap.fetch(`${Math.max(1, limit)}:*`, { envelope: true })) {
        subjects.push(msg.envelope?.subject ?? '');
      }
    } finally {
      lock.release();
      await this.imap.logout();
    }
    return subjects;
  }
}
