const imaps = require('imap-simple');

const config = {
  imap: {
    user: 'support@acme.example',
    password: process.env.IMAP_PASSWORD,
    host: 'outlook.office365.com',
    port: 993,
    tls: true,
    authTimeout: 10000,
  },
};

async function fetchUnseen() {
  const connection = await imaps.connect(config);
  await connection.openBox('INBOX');
  return connection.search(['UNSEEN'], { bodies: ['HEADER'] });
}

module.exports = { fetchUnseen };
