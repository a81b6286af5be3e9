import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

// Uses nodemailer's well-known service name instead of a host.
export function createAlertTransport(user: string, pass: string): Transporter {
  return nodemailer.createTransport({
    service: 'Outlook365',
    auth: { user, pass },
  });
}

export async function sendAlert(transport: Transporter, to: string, message: string): Promise<void> {
  await transport.sendMail({ from: 'alerts@contoso.com', to, subject: '[ALERT]', text: message });
}
