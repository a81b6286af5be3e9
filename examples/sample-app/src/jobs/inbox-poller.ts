import { ImapFlow } from 'imapflow';

export async function pollInbox(): Promise<number> {
  const client = new ImapFlow({
    host: 'outlook.office365.com',
    port: 993,
    secure: true,
    auth: { user: process.env.IMAP_USER ?? '', pass: process.env.IMAP_PASSWORD ?? '' },
    logger: false,
  });
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  try {
    const status = await client.status('INBOX', { unseen: true });
    return status ? (status.unseen ?? 0) : 0;
  } finally {
    lock.release();
    await client.logout();
  }
}
