import * as nodemailer from 'nodemailer';
import { OFFICE365_SMTP_HOST, SMTP_SUBMISSION_PORT } from './config/mail-hosts';

// Host comes from another file: the analyzer has to follow the import.
export const transport = nodemailer.createTransport({
  host: OFFICE365_SMTP_HOST,
  port: SMTP_SUBMISSION_PORT,
  secure: false,
  auth: {
    user: process.env.SMTP_USER as string,
    pass: process.env.SMTP_PASS as string,
  },
});
