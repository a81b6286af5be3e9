const nodemailer = require('nodemailer');

async function sendReport(text) {
  const transporter = nodemailer.createTransport({
    host: 'smtp.office365.com',
    port: 587,
    secure: false,
    auth: {
      user: 'reports@contoso.example',
      pass: process.env.REPORT_SMTP_PASS,
    },
  });
  await transporter.sendMail({ from: 'reports@contoso.example', to: 'team@contoso.example', text });
}

module.exports = { sendReport };
