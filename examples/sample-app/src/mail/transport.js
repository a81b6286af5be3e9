const nodemailer = require('nodemailer');
const config = require('../config/mail');

// Long-lived pooled transport used by the notification worker.
const transport = nodemailer.createTransport({ pool: true, ...config.smtp });

async function sendNotification(to, subject, text) {
  return transport.sendMail({ from: config.smtp.auth.user, to, subject, text });
}

module.exports = { transport, sendNotification };
