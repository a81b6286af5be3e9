import { SMTPClient } from 'emailjs';

const client = new SMTPClient({
  user: 'noreply@contoso.com',
  password: process.env.NOREPLY_PASSWORD,
  host: 'smtp.office365.com',
  port: 587,
  tls: true,
});

export async function sendPasswordReset(to, link) {
  return client.sendAsync({
    from: 'noreply@contoso.com',
    to,
    subject: 'Reset your password',
    text: `Use this link to reset your password: ${link}`,
  });
}
