const nodemailer = require('nodemailer');
module.exports = nodemailer.createTransport({
  host: 'smtp.office365.com',
  port: 587,
  auth: { user: 'reports@contoso.example', pass: process.env.SMTP_PASS },
});
