import Pop3Command from 'node-pop3';

export async function countMessages() {
  const pop3 = new Pop3Command({
    host: 'outlook.office365.com',
    port: 995,
    tls: true,
    user: 'archive@contoso.example',
    password: process.env.POP3_PASSWORD,
  });
  const [count] = await pop3.STAT();
  await pop3.QUIT();
  return count;
}
