const nodemailer = require('nodemailer');
const { nodemailerProvisionCallback } = require('./mail-oauth-token.js');

async function sendReport(text) {
  const transporter = nodemailer.createTransport({
    host: 'smtp.office365.com',
    port: 587,
    secure: false,
    auth: {
      user: 'reports@contoso.example',
      type: 'OAuth2',
      provisionCallback: nodemailerProvisionCallback,
    },
  });
  await transporter.sendMail({ from: 'reports@contoso.example', to: 'team@contoso.example', text });
}

module.exports = { sendReport };
