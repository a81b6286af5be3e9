/**
 * The generated imapflow hook, run as the fix writes it (the CommonJS provider, with MSAL replaced by a stub that
 * counts tokens) against a stand-in ImapFlow class: a session the server ends is replaced by a new client with a
 * new token, the mailbox lock is taken back, listeners stay, IDLE cut off is sent again, and nothing reconnects
 * after the app's own logout() or a failed first connect(). The lab proves the same against Dovecot
 * (test/e2e/readers.e2e.test.ts).
 */
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import * as vm from 'node:vm';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fix-guard';
import { providerSource } from '../../../src/core/fixes/provider/render';

interface Box {
  path: string;
  readOnly: boolean;
  exists: number;
}

const noConnection = (): Error => Object.assign(new Error('Connection not available'), { code: 'NoConnection' });

/** What the hook relies on from ImapFlow: connect once, 'close' after a server BYE or the app's close/logout. */
class FakeImapFlow extends EventEmitter {
  static created: FakeImapFlow[] = [];
  static refuse = 0;
  static messages = 0;
  static expireNext = false;
  usable = false;
  closedByClient = false;
  mailbox: Box | false = false;
  locked = false;
  closed = false;
  pendingIdle?: { resolve: () => void; reject: (e: Error) => void };

  constructor(public options: { auth: { user: string; accessToken?: string } }) {
    super();
    FakeImapFlow.created.push(this);
  }

  async connect(): Promise<void> {
    await Promise.resolve();
    if (FakeImapFlow.refuse > 0) {
      FakeImapFlow.refuse--;
      setImmediate(() => this.end());
      throw Object.assign(new Error('Authentication failed'), { code: 'AuthenticationFailure' });
    }
    this.usable = true;
  }

  async mailboxOpen(path: string, options?: { readOnly?: boolean }): Promise<Box> {
    await this.ready();
    this.mailbox = { path, readOnly: !!options?.readOnly, exists: FakeImapFlow.messages };
    this.emit('mailboxOpen', this.mailbox);
    return this.mailbox;
  }

  async getMailboxLock(path: string, options?: { readOnly?: boolean }): Promise<{ path: string; release(): void }> {
    await this.mailboxOpen(path, options);
    this.locked = true;
    return { path, release: () => (this.locked = false) };
  }

  async noop(): Promise<string> {
    await this.ready();
    if (FakeImapFlow.expireNext) {
      FakeImapFlow.expireNext = false;
      // Exchange may refuse the next command instead of sending BYE
      throw Object.assign(new Error('Command failed'), { responseText: 'Session invalidated - AccessTokenExpired' });
    }
    return `noop on #${FakeImapFlow.created.indexOf(this) + 1}`;
  }

  /** IDLE until the test ends it (or the session ends). */
  idle(): Promise<void> {
    if (!this.usable) {
      return Promise.reject(noConnection());
    }
    return new Promise((resolve, reject) => (this.pendingIdle = { resolve, reject }));
  }

  async logout(): Promise<void> {
    await this.ready();
    this.closedByClient = true;
    this.end();
  }

  close(): void {
    this.closedByClient = true;
    this.end();
  }

  /** The server ends the session (Exchange at token expiry). */
  end(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.usable = false;
    const box = this.mailbox;
    this.mailbox = false;
    this.pendingIdle?.reject(noConnection());
    if (box) {
      this.emit('mailboxClose', box);
    }
    this.emit('close');
  }

  private async ready(): Promise<void> {
    await Promise.resolve();
    if (!this.usable) {
      throw noConnection();
    }
  }
}

type Hook = <T>(client: T, host?: string) => T;

describe('generated imapflow hook (stand-in ImapFlow, stubbed MSAL)', function () {
  this.timeout(20_000);
  const saved = { ...process.env };
  let issued = 0;
  let withImapFlowOAuth2: Hook;
  let logged: string[] = [];
  const consoleError = console.error;

  before(() => {
    Object.assign(process.env, { MAIL_OAUTH_TENANT_ID: 'tenant', MAIL_OAUTH_CLIENT_ID: 'client', MAIL_OAUTH_CLIENT_SECRET: 'secret', MAIL_OAUTH_FLOW: 'app' });
    const msal = {
      ConfidentialClientApplication: class {
        acquireTokenByClientCredential(): Promise<{ accessToken: string; expiresOn: Date }> {
          return Promise.resolve({ accessToken: `token-${++issued}`, expiresOn: new Date(Date.now() + 1000) });
        }
      },
      PublicClientApplication: class {},
    };
    const text = providerSource({ language: 'cjs', flow: 'app', parts: ['imapflow'] });
    const mod = { exports: {} as { withImapFlowOAuth2: Hook } };
    const nodeRequire = createRequire(__filename);
    const load = (id: string): unknown => (id === '@azure/msal-node' ? msal : nodeRequire(id));
    const run = vm.runInThisContext(`(function (require, module, exports) {\n${text}\n})`) as (...a: unknown[]) => void;
    run(load, mod, mod.exports);
    withImapFlowOAuth2 = mod.exports.withImapFlowOAuth2;
  });

  beforeEach(() => {
    FakeImapFlow.created = [];
    FakeImapFlow.refuse = 0;
    FakeImapFlow.messages = 0;
    FakeImapFlow.expireNext = false;
    logged = [];
    console.error = (...args: unknown[]) => logged.push(args.join(' '));
  });

  afterEach(() => {
    console.error = consoleError;
  });

  after(() => {
    process.env = saved;
  });

  const until = async (what: () => boolean, ms = 8000): Promise<void> => {
    const end = Date.now() + ms;
    while (!what()) {
      assert.ok(Date.now() < end, 'timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('replaces a session the server ended: new token, lock taken back, listeners kept, IDLE sent again', async () => {
    const options = { host: 'outlook.office365.com', auth: { user: 'shared@contoso.com' } };
    const client = withImapFlowOAuth2(new FakeImapFlow(options), 'outlook.office365.com');
    const seen: string[] = [];
    client.on('mailboxOpen', (box: Box) => seen.push(`open ${box.path}`));
    client.on('exists', (d: { count: number; prevCount: number }) => seen.push(`exists ${d.prevCount}->${d.count}`));
    client.on('reconnected', () => seen.push('reconnected'));
    client.on('close', () => seen.push('close'));
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    const idling = client.idle();
    const [first] = FakeImapFlow.created;
    assert.equal(first.options.auth.accessToken, 'token-1');

    FakeImapFlow.messages = 2; // mail comes while no session is open
    first.end();
    const noop = client.noop(); // called between sessions: waits for the next one
    await until(() => seen.includes('reconnected'));
    const second = FakeImapFlow.created[1];
    assert.equal(FakeImapFlow.created.length, 2);
    assert.equal(second.options.auth.accessToken, 'token-2');
    assert.equal(second.options.auth.user, 'shared@contoso.com');
    assert.equal(options.auth.user, 'shared@contoso.com');
    assert.equal('accessToken' in options.auth, false, "the app's options object is not changed");
    assert.ok(second.locked, 'the lock is taken back');
    assert.deepEqual(seen, ['open INBOX', 'open INBOX', 'exists 0->2', 'reconnected']);
    assert.equal(await noop, 'noop on #2');

    await until(() => second.pendingIdle !== undefined);
    second.pendingIdle!.resolve();
    await idling; // the IDLE the end cut off ran again on the new session
    lock.release();
    assert.equal(second.locked, false);

    await client.logout();
    assert.deepEqual(seen.slice(-1), ['close']);
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(FakeImapFlow.created.length, 2, 'no new session after logout()');
    assert.deepEqual(logged, []);
  });

  it('backs off after a failed login, reports it as an error, then goes on', async () => {
    const client = withImapFlowOAuth2(new FakeImapFlow({ auth: { user: 'shared@contoso.com' } }));
    const errors: string[] = [];
    client.on('error', (e: Error) => errors.push(e.message));
    await client.connect();
    await client.mailboxOpen('Reports', { readOnly: true });
    FakeImapFlow.refuse = 1;
    const started = Date.now();
    FakeImapFlow.created[0].end();
    await until(() => FakeImapFlow.created.length === 3 && FakeImapFlow.created[2].usable);
    assert.ok(Date.now() - started >= 2500, 'waited 1 s, then 2 s');
    assert.deepEqual(errors, ['Authentication failed']);
    assert.deepEqual(FakeImapFlow.created[2].mailbox, { path: 'Reports', readOnly: true, exists: 0 });
    client.close();
  });

  it('a command refused with AccessTokenExpired ends the session and runs again on the next one', async () => {
    const client = withImapFlowOAuth2(new FakeImapFlow({ auth: { user: 'shared@contoso.com' } }));
    await client.connect();
    FakeImapFlow.expireNext = true;
    assert.equal(await client.noop(), 'noop on #2');
    assert.equal(FakeImapFlow.created[0].closed, true);
    assert.equal(FakeImapFlow.created[1].options.auth.accessToken !== FakeImapFlow.created[0].options.auth.accessToken, true);
    client.close();
  });

  it('a failed first connect() rejects and is not retried; an error without listener does not throw', async () => {
    const client = withImapFlowOAuth2(new FakeImapFlow({ auth: { user: 'shared@contoso.com' } }));
    let closed = 0;
    client.on('close', () => closed++);
    FakeImapFlow.refuse = 1;
    await assert.rejects(client.connect(), /Authentication failed/);
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(FakeImapFlow.created.length, 1);
    assert.equal(closed, 1);
    FakeImapFlow.created[0].emit('error', new Error('socket hang up'));
    assert.deepEqual(logged, ['Mail OAuth: IMAP connection error: socket hang up']);
  });
});

describe('imapflow fix: what changes for the app', () => {
  const plan = (code: string) => {
    const root = '/virtual/imapflow-note';
    const files = new Map([
      [`${root}/package.json`, '{ "name": "app", "dependencies": { "imapflow": "^2.10.2" } }\n'],
      [`${root}/watch.js`, code],
    ]);
    const analyzer = new Analyzer(root);
    analyzer.setSource(`${root}/watch.js`, code);
    return planFixes(analyzer.analyzeFile(`${root}/watch.js`), { readFile: (f) => files.get(f) });
  };
  const client = "const { ImapFlow } = require('imapflow');\nconst client = new ImapFlow({ host: 'outlook.office365.com', port: 993, secure: true, auth: { user: 'a@contoso.com', pass: 'pw' } });\n";

  it("says that 'close' no longer needs a new client, when the app listens to it", () => {
    const withClose = plan(`${client}client.on('close', () => setTimeout(start, 5000));\n`);
    assert.equal(withClose.fixed.length, 1);
    assert.ok(withClose.manualSteps.some((s) => /'close' comes only after your own logout\(\)/.test(s)));
    const without = plan(`${client}client.on('exists', console.log);\n`);
    assert.equal(without.fixed.length, 1);
    assert.ok(!without.manualSteps.some((s) => /'close'/.test(s)));
  });
});
