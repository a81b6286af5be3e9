const Pop3Command = require('node-pop3');

async function drainMailbox(user, password) {
  const pop3 = new Pop3Command({
    host: 'outlook.office365.com',
    port: 995,
    tls: true,
    user,
    password,
  });
  const list = await pop3.UIDL();
  const out = [];
  for (const [msgNumber] of list) {
    out.push(await pop3.RETR(msgNumber));
  }
  await pop3.QUIT();
  return out;
}

module.exports = { drainMailbox };
