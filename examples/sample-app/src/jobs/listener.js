const MailListener = require('mail-listener2');

const listener = new MailListener({
  username: 'orders@acme.example',
  password: process.env.ORDERS_PASSWORD,
  host: 'outlook.office365.com',
  port: 993,
  tls: true,
  mailbox: 'INBOX',
  markSeen: true,
});

listener.on('mail', (mail) => console.log('order mail', mail.subject));
module.exports = listener;
