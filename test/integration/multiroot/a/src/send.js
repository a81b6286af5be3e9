const nodemailer = require('nodemailer');
module.exports = nodemailer.createTransport({
  host: 'mail.relay-b.example',
  port: 587,
  auth: { user: 'alerts@contoso.example', pass: process.env.SMTP_PASS },
});
