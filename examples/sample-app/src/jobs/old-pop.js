const { Client } = require('yapople');

// yapople has no XOAUTH2: the finding carries a manual migration guide.
const client = new Client({
  hostname: 'outlook.office365.com',
  port: 995,
  tls: true,
  username: 'legacy@acme.example',
  password: process.env.LEGACY_PASSWORD,
});

module.exports = client;
