const nodemailer = require('nodemailer');

// Options built in a local const first, then passed to createTransport.
const smtpOptions = {
  host: 'smtp.office365.com',
  port: 587,
  secure: false,
  auth: {
    user: process.env.HELPDESK_USER,
    pass: process.env.HELPDESK_PASS,
  },
  tls: { ciphers: 'TLSv1.2' },
};

const helpdeskTransport = nodemailer.createTransport(smtpOptions);

module.exports = { helpdeskTransport };
