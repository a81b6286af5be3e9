/**
 * Long-running readers survive the end of their token. Exchange ends an IMAP session when its token expires
 * ("* BYE Session invalidated - AccessTokenExpired"); here the bed's tokens live 3 seconds and the session is
 * ended by the server (`doveadm kick`) after each expiry, three times in a row. The fixed watcher must log in
 * again with a new token each time and go on reading (open its mailbox again), without crashing.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertNoSecrets, fixed, REPO, start, startLabOrSkip, stopLab, tokensIssued, type Lab } from './helpers';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e-readers');
const TTL_SECONDS = 3;
const KICKS = 3;

const CASES = [
  { name: 'imap-idle-cjs', shape: 'node-imap watcher (IDLE)' },
  { name: 'mail-listener-cjs', shape: 'mail-listener2' },
  { name: 'mail-notifier-cjs', shape: 'mail-notifier' },
];

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
      const watcher = start(dir, 'watch.js');
      try {
        await watcher.waitFor(/session #1\b/);
        for (let k = 1; k <= KICKS; k++) {
          await new Promise((r) => setTimeout(r, TTL_SECONDS * 1000 + 500)); // the token has expired
          assert.ok(lab.kick('shared@lab.test') >= 1, 'the session was open and is ended');
          await watcher.waitFor(new RegExp(`session #${k + 1}\\b`), 90_000);
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
