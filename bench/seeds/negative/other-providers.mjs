// NOT a finding: password logins to non-Microsoft providers.
import nodemailer from 'nodemailer';
import { SMTPClient } from 'emailjs';

export const sendgrid = nodemailer.createTransport({
  host: 'smtp.sendgrid.net',
  port: 587,
  auth: { user: 'apikey', pass: process.env.SENDGRID_API_KEY },
});

export const mailgun = new SMTPClient({
  user: 'postmaster@mg.contoso.com',
  password: process.env.MAILGUN_SMTP_PASSWORD,
  host: 'smtp.mailgun.org',
  tls: true,
});
