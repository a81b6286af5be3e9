/**
 * Long-running readers survive the end of their token. Exchange ends an IMAP session when its token expires
 * ("* BYE Session invalidated - AccessTokenExpired"); here the bed's tokens live 3 seconds and the session is
 * ended by the server (`doveadm kick`) after each expiry, three times in a row. The fixed watcher must log in
 * again with a new token each time and go on reading (open its mailbox again), without crashing. The imapflow
 * watchers (a module-level client with an 'exists' listener, and a client in a function that holds the inbox
 * lock in an IDLE loop) must also see the mail delivered after each new login.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoSecrets, fixed, REPO, start, startLabOrSkip, stopLab, tokensIssued, type Lab } from './helpers';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e-readers');
const TTL_SECONDS = 3;
const KICKS = 3;

const CASES = [
  { name: 'imap-idle-cjs', shape: 'node-imap watcher (IDLE)' },
  { name: 'mail-listener-cjs', shape: 'mail-listener2' },
  { name: 'mail-notifier-cjs', shape: 'mail-notifier' },
  { name: 'imapflow-module-cjs', shape: 'imapflow, module-level client', reads: true },
  { name: 'imapflow-function-ts', file: 'watch.ts', shape: 'imapflow, client in a function, lock + IDLE loop (TypeScript)', reads: true },
];

/** Puts a message into shared@lab.test's inbox the way the bed's SMTP server does (a Maildir file Dovecot owns). */
function deliver(lab: Lab, subject: string): void {
  const md = path.join(lab.env.LAB_MAIL_DIR, 'lab.test', 'shared', 'Maildir');
  const raw = `From: e2e@lab.test\r\nTo: shared@lab.test\r\nSubject: ${subject}\r\n\r\nnew mail\r\n`;
  const name = `${Date.now()}.M${randomBytes(6).toString('hex')}P${process.pid}.e2e,S=${raw.length}`;
  const tmp = path.join(md, 'tmp', name);
  fs.mkdirSync(path.dirname(tmp), { recursive: true });
  fs.writeFileSync(tmp, raw, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    fs.chownSync(tmp, 65534, 65534);
  }
  fs.renameSync(tmp, path.join(md, 'new', name));
}

const mails = (out: string): number => (out.match(/^mail\b/gm) ?? []).length;

describe('long-running readers survive the server ending their session at token expiry (e2e)', function () {
  this.timeout(180_000);
  let lab: Lab;

  before(async function () {
    lab = await startLabOrSkip(this, 'e2e reader tests');
    await lab.setFaults({ tokenTtlSeconds: TTL_SECONDS });
  });

  after(stopLab);

  for (const c of CASES) {
    it(`${c.shape}: ${KICKS} sessions ended after expiry, each followed by a new login`, async () => {
      const dir = await fixed(FIXTURES, c.name);
      const before = tokensIssued();
      const watcher = start(dir, c.file ?? 'watch.js');
      const readsMail = async (k: number): Promise<void> => {
        if (c.reads) {
          deliver(lab, `reader-${c.name}-${k}`);
          const until = Date.now() + 30_000;
          while (mails(watcher.out()) < k + 1 && Date.now() < until) {
            await new Promise((r) => setTimeout(r, 100));
          }
          assert.equal(mails(watcher.out()), k + 1, `new mail seen in session #${k + 1}:\n${watcher.out()}`);
        }
      };
      try {
        await watcher.waitFor(/session #1\b/);
        await readsMail(0);
        for (let k = 1; k <= KICKS; k++) {
          await new Promise((r) => setTimeout(r, TTL_SECONDS * 1000 + 500)); // the token has expired
          assert.ok(lab.kick('shared@lab.test') >= 1, 'the session was open and is ended');
          await watcher.waitFor(new RegExp(`session #${k + 1}\\b`), 90_000);
          await readsMail(k);
        }
      } finally {
        await watcher.stop();
      }
      assert.doesNotMatch(watcher.out(), /ERROR|Unhandled|TypeError/);
      assert.ok(tokensIssued() - before >= KICKS + 1, `tokens issued: ${tokensIssued() - before}`);
      assertNoSecrets(watcher.out());
    });
  }
});
