'use strict';
// Old reporting job: connection URL with credentials inline.
const mailer = require('nodemailer');

exports.reportTransport = mailer.createTransport(
  `smtp://reports%40acme.example:${encodeURIComponent(process.env.REPORTS_PASS || '')}@smtp.office365.com:587`,
);

exports.hotmailTransport = mailer.createTransport({
  service: 'Outlook.com',
  auth: { user: 'acme.founder@outlook.com', pass: process.env.OUTLOOK_PASS },
});
