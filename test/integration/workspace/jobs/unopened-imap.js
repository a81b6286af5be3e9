// Never opened by the tests: only the workspace scan can report it.
const Imap = require('imap');

const imap = new Imap({
  user: process.env.IMAP_USER,
  password: process.env.IMAP_PASSWORD,
  host: process.env.IMAP_HOST,
  port: 993,
  tls: true,
});

imap.once('ready', () => imap.end());
imap.connect();
