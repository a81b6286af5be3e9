const nodemailer = require('nodemailer');

// mail.corp.example is a CNAME of smtp.office365.com (see the mailOAuth.extraHosts setting)
const relay = nodemailer.createTransport({
  host: 'mail.corp.example',
  port: 587,
  auth: { user: 'relay@contoso.example', pass: process.env.RELAY_PASS },
});

module.exports = relay;
