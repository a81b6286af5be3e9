// SMTP submission server accepting only AUTH XOAUTH2 (like smtp.office365.com):
//   LAB_SMTP_PORT  (default 18587): plain + STARTTLS, AUTH only after STARTTLS
//   LAB_SMTPS_PORT (default 18465): implicit TLS
// Accepted messages are written to <LAB_RUN>/outbox/*.eml (+ .json envelope) and
// delivered into the Maildir of any lab user among the recipients, so IMAP/POP3
// can read them.
// Behaviour switches come from lib/faults.mjs (re-read on every command):
//   smtpXoauth2Failure o365 (default): bad token -> "535 5.7.3 Authentication unsuccessful"
//                      challenge: bad token -> 334 <base64 JSON>, then 535 (Gmail/RFC style,
//                      lets nodemailer re-provision a token once with renew=true)
//   smtpAuthDisabled   tenant|mailbox: every AUTH -> 535 5.7.139 ... SmtpClientAuthentication is disabled
//   smtpSendAsCheck    mail-from (default): MAIL FROM not allowed for the identity -> 554 5.2.252 SendAsDenied
//                      data: MAIL FROM accepted, the 554 comes after DATA (envelope or header From)
//                      off: no check
// Allowed senders: the authenticated mailbox plus lab.config.json "sendAs" grants for it.
import { SMTPServer } from 'smtp-server';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { lab, HOST, ports, TLS_CERT, TLS_KEY, RUN_DIR } from '../lib/config.mjs';
import { deliver } from '../lib/deliver.mjs';
import { checkToken } from '../lib/token-check.mjs';
import { currentFaults } from '../lib/faults.mjs';

const log = (...a) => console.log(new Date().toISOString(), '[smtp]', ...a);
const users = new Set(lab.users.map((u) => u.toLowerCase()));
const sendAs = Object.fromEntries(
  Object.entries(lab.sendAs || {}).map(([k, v]) => [k.toLowerCase(), v.map((a) => a.toLowerCase())]),
);
const outbox = path.join(RUN_DIR, 'outbox');
mkdirSync(outbox, { recursive: true });

const smtpError = (code, text) => Object.assign(new Error(text), { responseCode: code });
const AUTH_DISABLED = (scope) =>
  `5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the ${scope === 'mailbox' ? 'Mailbox' : 'Tenant'}. Visit https://aka.ms/smtp_auth_disabled for more information.`;
const sendAsDenied = (user, from) =>
  smtpError(554, `5.2.252 SendAsDenied; ${user} not allowed to send as ${from}`);
const maySendAs = (user, from) =>
  from.toLowerCase() === user || (sendAs[user] || []).includes(from.toLowerCase());

// First address in the message's From: header (unfolded), or null.
function headerFrom(raw) {
  const head = raw
    .toString('utf8', 0, Math.min(raw.length, 65536))
    .split(/\r?\n\r?\n/)[0]
    .replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => /^from:/i.test(l));
  if (!line) return null;
  const m = line.match(/<([^>]+)>/) || line.match(/([^\s:<>,"]+@[^\s<>,"]+)/);
  return m ? m[1].trim() : null;
}

function options(secure) {
  return {
    secure,
    name: 'smtp.lab.test',
    banner: 'lab SMTP (XOAUTH2 only)',
    key: readFileSync(TLS_KEY),
    cert: readFileSync(TLS_CERT),
    authMethods: ['XOAUTH2'],
    allowInsecureAuth: false,
    size: 25 * 1024 * 1024,
    logger: false,
    disabledCommands: [],
    async onAuth(auth, session, cb) {
      if (auth.method !== 'XOAUTH2') return cb(smtpError(504, '5.7.8 Only XOAUTH2 is accepted'));
      const faults = currentFaults();
      if (faults.smtpAuthDisabled) {
        log(`AUTH XOAUTH2 user=${auth.username} -> FAIL smtpAuthDisabled=${faults.smtpAuthDisabled} (fault)`);
        return cb(smtpError(535, AUTH_DISABLED(faults.smtpAuthDisabled)));
      }
      const r = await checkToken(auth.accessToken, auth.username, 'smtp');
      log(
        `AUTH XOAUTH2 user=${auth.username} -> ${r.ok ? `OK (${r.kind} token, exp ${new Date(r.claims.exp * 1000).toISOString()})` : `FAIL ${r.reason}`}`,
      );
      if (r.ok) return cb(null, { user: auth.username.toLowerCase() });
      if (faults.smtpXoauth2Failure === 'challenge')
        return cb(null, {
          data: { status: '401', schemes: 'bearer', scope: 'https://outlook.office365.com/SMTP.Send' },
        });
      return cb(smtpError(535, `5.7.3 Authentication unsuccessful [lab: ${r.reason}]`));
    },
    onMailFrom(address, session, cb) {
      if (!session.user) return cb(smtpError(530, '5.7.57 Client not authenticated to send mail'));
      if (currentFaults().smtpSendAsCheck === 'mail-from' && !maySendAs(session.user, address.address)) {
        log(`MAIL FROM ${address.address} by ${session.user} -> 554 SendAsDenied`);
        return cb(sendAsDenied(session.user, address.address));
      }
      return cb();
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded)
          return cb(smtpError(552, '5.3.4 Message size exceeds fixed maximum message size'));
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom.address;
        if (currentFaults().smtpSendAsCheck === 'data') {
          const hdr = headerFrom(raw);
          const bad = [from, hdr].find((a) => a && !maySendAs(session.user, a));
          if (bad) {
            log(`DATA from=${from} header-from=${hdr} by ${session.user} -> 554 SendAsDenied`);
            return cb(sendAsDenied(session.user, bad));
          }
        }
        const id = `${Date.now()}-${crypto.randomBytes(4).toString('hex')}`;
        writeFileSync(path.join(outbox, `${id}.eml`), raw);
        writeFileSync(
          path.join(outbox, `${id}.json`),
          JSON.stringify({ user: session.user, from, to: session.envelope.rcptTo.map((r) => r.address) }),
        );
        for (const r of session.envelope.rcptTo)
          if (users.has(r.address.toLowerCase())) deliver(r.address, raw);
        log(
          `accepted ${id} from=${from} to=${session.envelope.rcptTo.map((r) => r.address).join(',')} bytes=${raw.length}`,
        );
        return cb(null, `2.6.0 <${id}@lab.test> Queued mail for delivery`);
      });
    },
  };
}

const servers = [
  [new SMTPServer(options(false)), ports.smtp],
  [new SMTPServer(options(true)), ports.smtps],
];
for (const [s, port] of servers) {
  s.on('error', (e) => log('server error', e.message));
  s.listen(port, HOST, () =>
    log(
      `listening on ${HOST}:${port} (${s.options.secure ? 'implicit TLS' : 'STARTTLS'}), faults=${JSON.stringify(currentFaults())}`,
    ),
  );
}
const stop = () => {
  log('stopping');
  let n = servers.length;
  for (const [s] of servers)
    s.close(() => {
      if (--n === 0) process.exit(0);
    });
  setTimeout(() => process.exit(0), 300).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
