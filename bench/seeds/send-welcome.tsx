import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import nodemailer from 'nodemailer';

function WelcomeEmail({ name }: { name: string }) {
  return (
    <html>
      <body>
        <h1>Welcome, {name}!</h1>
        <p>Your Contoso account is ready.</p>
      </body>
    </html>
  );
}

const transporter = nodemailer.createTransport({
  host: 'smtp.office365.com',
  port: 587,
  auth: { user: 'welcome@contoso.com', pass: process.env.WELCOME_SMTP_PASSWORD },
});

export async function sendWelcome(to: string, name: string) {
  const html = renderToStaticMarkup(<WelcomeEmail name={name} />);
  await transporter.sendMail({ from: 'welcome@contoso.com', to, subject: 'Welcome', html });
}
