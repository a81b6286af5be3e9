const nodemailer = require('nodemailer');

function legacyTransport() {
  if (process.env.LEGACY_MAIL) {
    return nodemailer.createTransport({
      host: 'smtp.office365.com',
      auth: { user: 'legacy@contoso.example', pass: process.env.LEGACY_PASS },
    });
  }
  return undefined;
}

module.exports = { legacyTransport };
