import { createTransport } from 'nodemailer';

const host = process.env.SMTP_HOST ?? 'smtp.office365.com';

export const alerts = createTransport({
  host,
  port: Number(process.env.SMTP_PORT ?? 587),
  secure: false,
  requireTLS: true,
  auth: { user: 'alerts@acme.example', pass: process.env.ALERTS_PASSWORD },
});

export async function sendAlert(message: string): Promise<void> {
  await alerts.sendMail({ from: 'alerts@acme.example', to: 'ops@acme.example', subject: 'Alert', text: message });
}
