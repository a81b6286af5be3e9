// NOT a finding: Exchange Online, but already uses OAuth2 (XOAUTH2).
import nodemailer from 'nodemailer';

export function createOAuthTransport(accessToken: string) {
  return nodemailer.createTransport({
    host: 'smtp.office365.com',
    port: 587,
    secure: false,
    auth: {
      type: 'OAuth2',
      user: 'orders@contoso.com',
      accessToken,
    },
  });
}
