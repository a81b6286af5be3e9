const imaps = require('imap-simple');

const config = {
  imap: {
    user: 'invoices@contoso.com',
    password: process.env.INVOICE_MAILBOX_PASSWORD,
    host: 'outlook.office365.com',
    port: 993,
    tls: true,
    authTimeout: 10000,
  },
};

async function fetchInvoices() {
  const connection = await imaps.connect(config);
  await connection.openBox('INBOX');
  const messages = await connection.search(['UNSEEN'], { bodies: ['HEADER'], markSeen: false });
  connection.end();
  return messages.map((m) => m.parts[0].body.subject[0]);
}

module.exports = { fetchInvoices };
