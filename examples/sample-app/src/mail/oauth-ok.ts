// Already migrated: OAuth2 with a token callback. Must not be reported.
import nodemailer from 'nodemailer';

export const graphReady = nodemailer.createTransport({
  host: 'smtp.office365.com',
  port: 587,
  auth: { type: 'OAuth2', user: 'bot@acme.example', accessToken: process.env.BOT_TOKEN },
});
