// NOT a finding: password login, but to Gmail, not a Microsoft host.
const nodemailer = require('nodemailer');

module.exports = nodemailer.createTransport({
  host: 'smtp.gmail.com',
  port: 465,
  secure: true,
  auth: { user: 'contoso.alerts@gmail.com', pass: process.env.GMAIL_APP_PASSWORD },
});
