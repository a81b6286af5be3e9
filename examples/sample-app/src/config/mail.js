// Shared mail settings, read once at start-up.
const MAIL_DEFAULTS = Object.freeze({
  host: 'smtp.office365.com',
  port: 587,
  secure: false,
});

module.exports = {
  smtp: {
    ...MAIL_DEFAULTS,
    auth: {
      user: process.env.SMTP_USER,
      pass: process.env.SMTP_PASS,
    },
  },
  imapHost: process.env.IMAP_HOST || 'outlook.office365.com',
};
