import { createTransport } from 'nodemailer';

const transport = createTransport({
  host: 'smtp.office365.com',
  port: 587,
  requireTLS: true,
  auth: {
    user: 'billing@contoso.com',
    pass: process.env.BILLING_SMTP_PASS ?? '',
  },
});

export default async function notifyBilling(text: string): Promise<void> {
  await transport.sendMail({ from: 'billing@contoso.com', to: 'ap@contoso.com', subject: 'Billing', text });
}
