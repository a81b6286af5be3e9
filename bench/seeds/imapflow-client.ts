import { ImapFlow } from 'imapflow';

const user = process.env.MAILBOX_USER ?? 'support@contoso.com';
const pass = process.env.MAILBOX_PASSWORD ?? '';

export async function countUnread(): Promise<number> {
  const client = new ImapFlow({
    host: 'outlook.office365.com',
    port: 993,
    secure: true,
    auth: { user, pass },
    logger: false,
  });
  await client.connect();
  try {
    const status = await client.status('INBOX', { unseen: true });
    return status ? (status.unseen ?? 0) : 0;
  } finally {
    await client.logout();
  }
}
