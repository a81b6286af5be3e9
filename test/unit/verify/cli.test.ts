/** verify / setup commands: flags, exit codes, secrets only from env or ./.env, JSON shape, no leaks. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setupCommand } from '../../../src/core/setup/cli';
import { parseTimeout, verifyCommand, type CommandIo } from '../../../src/core/verify/cli';
import type { TokenAcquirer } from '../../../src/core/verify';
import { msalServerError } from './helpers';

const TENANT = '7e3a1c52-0000-4000-8000-00000000a001';
const CLIENT = '11111111-1111-4111-8111-111111111111';
const SECRET = 'Xyz8Q~cli-unit-secret-value-1111111111';

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function run(
  cmd: (argv: string[], io: CommandIo) => Promise<number>,
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; acquireToken?: TokenAcquirer } = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await cmd(argv, {
    env: opts.env ?? {},
    cwd: opts.cwd ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mom-cli-')),
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    deps: opts.acquireToken ? { acquireToken: opts.acquireToken } : undefined,
  });
  return { code, out, err };
}

describe('verify command', function () {
  this.timeout(20_000);

  for (const flag of ['--secret', '--client-secret', '--password']) {
    it(`rejects ${flag} (with = or a separate value) without echoing the value`, async () => {
      for (const argv of [
        [`${flag}=${SECRET}`, '--protocol', 'smtp'],
        ['--protocol', 'smtp', flag, SECRET],
      ]) {
        const r = await run(verifyCommand, argv);
        assert.equal(r.code, 2);
        assert.match(r.err, /is not accepted: a secret on the command line/);
        assert.match(r.err, /MAIL_OAUTH_CLIENT_SECRET/);
        assert.ok(!r.err.includes(SECRET) && !r.out.includes(SECRET));
      }
    });
  }

  it('usage errors exit 2: no protocol, bad values, unknown flags, stray arguments', async () => {
    for (const argv of [
      [],
      ['--protocol', 'ews'],
      ['--protocol', 'smtp', '--format', 'xml'],
      ['--protocol', 'smtp', '--tls', 'ssl'],
      ['--protocol', 'smtp', '--flow', 'auto'],
      ['--protocol', 'smtp', '--port', '99999'],
      ['--protocol', 'smtp', '--timeout', 'soon'],
      ['--protocol', 'smtp', '--bogus'],
      ['--protocol', 'smtp', 'extra'],
      ['--protocol', 'smtp', '--ca', '/nonexistent/ca.pem'],
    ]) {
      const r = await run(verifyCommand, argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.match(r.err, /Usage: mail-oauth-migrate verify/);
    }
  });

  it('--help exits 0', async () => {
    const r = await run(verifyCommand, ['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /--protocol smtp\|imap\|pop3/);
  });

  it('parses timeouts', () => {
    assert.equal(parseTimeout('20'), 20_000);
    assert.equal(parseTimeout('500ms'), 500);
    assert.equal(parseTimeout('1.5s'), 1500);
    assert.equal(parseTimeout('2m'), 120_000);
  });

  it('a configuration failure exits 1 with the remedy (text: ✘ line + Fix)', async () => {
    const r = await run(verifyCommand, ['--protocol', 'imap', '--user', 'shared@contoso.com']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^✘ Configuration: .*no client ID/m);
    assert.match(r.out, /^ {4}Fix: .*MAIL_OAUTH_CLIENT_ID/m);
  });

  it('reads the secret and ids from ./.env, prints JSON { ok, steps[{name, ok, detail, remedy}] }, and leaks nothing', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-cli-env-'));
    fs.writeFileSync(
      path.join(cwd, '.env'),
      `MAIL_OAUTH_TENANT_ID=${TENANT}\nMAIL_OAUTH_CLIENT_ID=${CLIENT}\nMAIL_OAUTH_CLIENT_SECRET="${SECRET}"\n`,
    );
    let seenSecret: string | undefined;
    const r = await run(
      verifyCommand,
      [
        '--protocol',
        'smtp',
        '--host',
        '127.0.0.1',
        '--port',
        String(await closedPort()),
        '--user',
        'shared@contoso.com',
        '--format',
        'json',
      ],
      {
        cwd,
        acquireToken: async (req) => {
          seenSecret = req.clientSecret;
          throw msalServerError(7000215, 'invalid_client', `Invalid client secret provided (${SECRET}).`);
        },
      },
    );
    assert.equal(seenSecret, SECRET);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.out) as {
      ok: boolean;
      steps: { name: string; ok: boolean; detail: string; remedy: string | null }[];
    };
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.steps.map((s) => [s.name, s.ok]),
      [
        ['configuration', true],
        ['token', false],
        ['connect', false],
      ],
    );
    for (const s of json.steps) {
      assert.deepEqual(Object.keys(s), ['name', 'ok', 'detail', 'remedy']);
    }
    assert.equal(json.steps[0].remedy, null);
    assert.match(json.steps[1].detail, /AADSTS7000215/);
    assert.ok(!r.out.includes(SECRET) && !r.err.includes(SECRET));
  });

  it('real environment variables win over ./.env', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-cli-env-'));
    fs.writeFileSync(
      path.join(cwd, '.env'),
      `MAIL_OAUTH_CLIENT_ID=${CLIENT}\nMAIL_OAUTH_TENANT_ID=${TENANT}\nMAIL_OAUTH_CLIENT_SECRET=from-dotenv-file\n`,
    );
    let seen: string | undefined;
    await run(
      verifyCommand,
      [
        '--protocol',
        'imap',
        '--host',
        '127.0.0.1',
        '--port',
        String(await closedPort()),
        '--user',
        'a@contoso.com',
      ],
      {
        cwd,
        env: { MAIL_OAUTH_CLIENT_SECRET: SECRET },
        acquireToken: async (req) => {
          seen = req.clientSecret;
          throw new Error('stop');
        },
      },
    );
    assert.equal(seen, SECRET);
  });
});

describe('setup command', () => {
  it('prints the checklist and the PowerShell with placeholders, from flags', async () => {
    const r = await run(setupCommand, [
      '--client-id',
      CLIENT,
      '--mailbox',
      'shared@contoso.com',
      '--send-as',
      'a@contoso.com',
      '--send-as',
      'b@contoso.com',
      '--protocol',
      'imap',
    ]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^# Mail OAuth setup checklist/);
    assert.match(r.out, /```powershell\n/);
    assert.match(r.out, /IMAP\.AccessAsApp/);
    assert.doesNotMatch(r.out, /SMTP\.SendAsApp/);
    assert.match(r.out, /<Directory \(tenant\) ID>/);
    assert.match(r.out, /Add-RecipientPermission -Identity 'a@contoso\.com'/);
    assert.match(r.out, /Add-RecipientPermission -Identity 'b@contoso\.com'/);
  });

  it('scans paths to pick the protocols and writes --output', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-setup-'));
    fs.writeFileSync(
      path.join(dir, 'send.js'),
      "const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: 'smtp.office365.com', port: 587, auth: { user: 'a@contoso.com', pass: process.env.SMTP_PASSWORD } });\n",
    );
    const r = await run(setupCommand, [dir, '--output', 'setup.md'], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /1 finding\(s\) using smtp/);
    const md = fs.readFileSync(path.join(dir, 'setup.md'), 'utf8');
    assert.match(md, /Protocols: SMTP \(from 1 finding\(s\)\)/);
    assert.match(md, /SMTP\.SendAsApp/);
    assert.doesNotMatch(md, /IMAP\.AccessAsApp/);
  });

  it('usage errors exit 2', async () => {
    assert.equal((await run(setupCommand, ['--protocol', 'ews'])).code, 2);
    assert.equal((await run(setupCommand, ['/nonexistent/folder'])).code, 2);
    assert.equal((await run(setupCommand, ['--nope'])).code, 2);
  });
});
