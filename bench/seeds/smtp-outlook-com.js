// Personal Outlook.com account used by a hobby project.
const nodemailer = require('nodemailer');

function makeTransport() {
  return nodemailer.createTransport({
    host: 'smtp-mail.outlook.com',
    port: 587,
    secure: false,
    auth: { user: 'jane.doe@outlook.com', pass: process.env.OUTLOOK_APP_PASSWORD },
  });
}

module.exports = { makeTransport };
