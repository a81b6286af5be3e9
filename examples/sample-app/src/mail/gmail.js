// Not Microsoft: must not be reported.
const nodemailer = require('nodemailer');

module.exports = nodemailer.createTransport({
  service: 'gmail',
  auth: { user: 'acme@gmail.com', pass: process.env.GMAIL_APP_PASSWORD },
});
