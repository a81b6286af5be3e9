// Mail settings shared by the senders.
module.exports = {
  smtpHost: process.env.SMTP_HOST,
  smtpPort: 587,
};
