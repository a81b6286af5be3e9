import Pop3Command from 'node-pop3';

export async function archiveCount() {
  const pop3 = new Pop3Command({
    user: 'archive@acme.example',
    password: process.env.ARCHIVE_PASSWORD,
    host: 'outlook.office365.com',
    port: 995,
    tls: true,
  });
  const list = await pop3.UIDL();
  await pop3.QUIT();
  return list.length;
}
