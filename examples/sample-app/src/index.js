const { sendNotification } = require('./mail/transport');
const { openBounces } = require('./jobs/bounce-reader');

// A local helper that happens to share nodemailer's name: not a finding.
function createTransport(opts) {
  return { opts };
}
createTransport({ host: 'smtp.office365.com', auth: { user: 'x', pass: 'y' } });

// nodemailer.createTransport({ host: 'smtp.office365.com', auth: { user, pass } })  <- commented out, not a finding
const docs = "nodemailer.createTransport({ host: 'smtp.office365.com', auth: { pass } })";

sendNotification('ops@acme.example', 'Started', docs).catch(console.error);
openBounces(() => {});
