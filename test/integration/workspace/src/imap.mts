import { ImapFlow } from 'imapflow';

export async function openInbox(): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: process.env.IMAP_HOST ?? 'outlook.office365.com',
    port: 993,
    secure: true,
    auth: { user: process.env.IMAP_USER ?? '', pass: process.env.IMAP_PASSWORD },
  });
  await client.connect();
  return client;
}
