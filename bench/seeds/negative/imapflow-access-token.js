// NOT a finding: ImapFlow against Exchange Online with an OAuth2 access token.
const { ImapFlow } = require('imapflow');

async function openMailbox(user, accessToken) {
  const client = new ImapFlow({
    host: 'outlook.office365.com',
    port: 993,
    secure: true,
    auth: { user, accessToken },
  });
  await client.connect();
  return client;
}

module.exports = { openMailbox };
