// Delivery into a lab user's Maildir (read back over IMAP/POP3 by Dovecot), shared by the SMTP and Graph servers.
import { mkdirSync, writeFileSync, chownSync, renameSync } from 'node:fs';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { MAIL_DIR } from './config.mjs';

const MAIL_UID = Number(process.env.LAB_MAIL_UID ?? 65534);
const MAIL_GID = Number(process.env.LAB_MAIL_GID ?? 65534);

function mkdirOwned(dir) {
  mkdirSync(MAIL_DIR, { recursive: true });
  const parts = path.relative(MAIL_DIR, dir).split(path.sep);
  let cur = MAIL_DIR;
  for (const p of parts) {
    cur = path.join(cur, p);
    try {
      mkdirSync(cur, { mode: 0o700 });
      if (process.getuid?.() === 0) chownSync(cur, MAIL_UID, MAIL_GID);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
}

export function deliver(rcpt, raw) {
  const [local, domain] = rcpt.toLowerCase().split('@');
  const md = path.join(MAIL_DIR, domain, local, 'Maildir');
  for (const sub of ['tmp', 'new', 'cur']) mkdirOwned(path.join(md, sub));
  const name = `${Date.now()}.M${crypto.randomBytes(6).toString('hex')}P${process.pid}.${os.hostname()},S=${raw.length}`;
  const tmp = path.join(md, 'tmp', name);
  writeFileSync(tmp, raw, { mode: 0o600 });
  if (process.getuid?.() === 0) chownSync(tmp, MAIL_UID, MAIL_GID);
  renameSync(tmp, path.join(md, 'new', name));
}
