const Imap = require('imap');
const { imapHost } = require('../config/mail');

function openBounces(onMail) {
  const imap = new Imap({
    user: process.env.IMAP_USER,
    password: process.env.IMAP_PASSWORD,
    host: imapHost,
    port: 993,
    tls: true,
  });
  imap.once('ready', () => imap.openBox('Bounces', true, onMail));
  imap.connect();
  return imap;
}

module.exports = { openBounces };
