const { MailListener } = require('mail-listener5');

const mailListener = new MailListener({
  username: 'tickets@contoso.com',
  password: process.env.TICKETS_PASSWORD,
  host: 'outlook.office365.com',
  port: 993,
  tls: true,
  mailbox: 'INBOX',
  markSeen: true,
  fetchUnreadOnStart: true,
});

mailListener.on('mail', (mail) => {
  console.log('new ticket:', mail.subject);
});

module.exports = { start: () => mailListener.start() };
