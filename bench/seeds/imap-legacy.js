var Imap = require('imap');
var inspect = require('util').inspect;

var user = process.env.IMAP_USER;
var password = process.env.IMAP_PASSWORD;

var imap = new Imap({
  user: user,
  password: password,
  host: 'outlook.office365.com',
  port: 993,
  tls: true,
  tlsOptions: { servername: 'outlook.office365.com' },
});

imap.once('ready', function () {
  imap.openBox('INBOX', true, function (err, box) {
    if (err) throw err;
    console.log('messages: ' + inspect(box.messages.total));
    imap.end();
  });
});

imap.once('error', function (err) {
  console.error(err);
});

module.exports = function start() {
  imap.connect();
};
