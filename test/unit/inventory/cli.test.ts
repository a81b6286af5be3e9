/**
 * `mail-oauth-migrate inventory` end to end (the bundled dist/cli.js): a multi-package workspace whose logins
 * take their user from a literal, a const, a config object in another module, a package's .env and a
 * .env.example placeholder, joined with every report kind and an alias map.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InventoryJson } from '../../../src/core/inventory';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');
const FIX = path.join(REPO, 'test/fixtures/inventory');
const WS = path.join(FIX, 'workspace');
const R = (f: string): string => path.join(FIX, 'reports', f);
const ALL = [
  'smtp-auth-clients.csv',
  'entra-sign-ins.csv',
  'entra-sign-ins-graph.json',
  'email-app-usage.csv',
  'email-app-usage-hashed.csv',
].flatMap((f) => ['--report', R(f)]);

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Report content that must never be written anywhere (IP addresses, user agents, locations). */
const PRIVATE = [
  '203.0.113.7',
  '198.51.100.23',
  '192.0.2.55',
  'imaplib',
  'SecretAgent',
  'RICOH',
  'Amsterdam',
  'not-a-real-password',
];

describe('CLI inventory (multi-package workspace, every report kind)', function () {
  this.timeout(60000);
  let json: InventoryJson;
  before(function () {
    if (!fs.existsSync(CLI)) {
      throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
    }
    const r = cli(['inventory', WS, ...ALL, '--alias-map', R('aliases.csv'), '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    json = JSON.parse(r.stdout) as InventoryJson;
  });

  it('prints the JSON contract (version 1) with every mailbox linked to its code', () => {
    assert.equal(json.version, 1);
    const box = (m: string) => json.mailboxes.find((x) => x.mailbox === m);
    const files = (m: string) => box(m)?.findings.map((f) => `${f.file}:${f.line}:${f.protocol}`);
    assert.deepEqual(
      files('noreply@contoso.com'),
      ['packages/api/src/mailer.js:4:smtp'],
      'literal user, other case',
    );
    assert.deepEqual(
      files('archive@contoso.com'),
      ['packages/archive/pop.js:5:pop3'],
      'const user; CSV and Graph sign-ins',
    );
    assert.deepEqual(
      files('alerts@contoso.com'),
      ['packages/notify/src/send.js:4:smtp'],
      'config object in another module',
    );
    assert.deepEqual(
      files('support@contoso.com'),
      ['packages/worker/src/inbox.ts:4:imap'],
      '.env user, UPN through the alias map',
    );
    for (const m of json.mailboxes) {
      for (const f of m.findings) {
        assert.deepEqual(Object.keys(f).sort(), ['code', 'file', 'line', 'protocol']);
      }
      assert.deepEqual(Object.keys(m).sort(), ['auth', 'findings', 'mailbox', 'protocols', 'sources']);
    }
    const archive = box('archive@contoso.com')!;
    assert.equal(archive.auth, 'basic');
    assert.deepEqual(
      archive.sources.map((s) => [s.kind, s.count, s.lastSeen]),
      [
        ['entra-sign-ins', 1, '2026-11-24T09:30:00.000Z'],
        ['entra-sign-ins-graph', 1, '2026-11-27T06:10:00.000Z'],
      ],
    );
    assert.equal(
      box('noreply@contoso.com')?.sources.find((s) => s.kind === 'smtp-auth-clients')?.count,
      1234,
    );
    assert.equal(box('alerts@contoso.com')?.auth, 'oauth');
  });

  it('lists mailboxes without code (devices) with empty findings, and findings without a report', () => {
    for (const m of ['printer@contoso.com', 'scanner-3f@contoso.com', 'ews-sync@contoso.com']) {
      const b = json.mailboxes.find((x) => x.mailbox === m);
      assert.ok(b, m);
      assert.equal(b.auth, 'basic');
      assert.deepEqual(b.findings, []);
    }
    assert.deepEqual(json.findingsWithoutReport, [
      {
        file: 'packages/unknown/index.js',
        line: 3,
        code: 'nodemailer-password-auth',
        protocol: 'smtp',
        mailbox: null,
      },
    ]);
    const hashed = json.reports.find((r) => r.report.endsWith('email-app-usage-hashed.csv'));
    assert.equal(hashed?.hashed, 2);
    assert.match(hashed?.notes.join() ?? '', /concealed user names/);
  });

  it('text and Markdown say what to do for devices, and nothing private from a report is written', () => {
    const text = cli(['inventory', WS, ...ALL, '--alias-map', R('aliases.csv')]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /no code found \(3\)/);
    assert.match(text.stdout, /High Volume Email \(smtp-hve\.office365\.com/);
    assert.match(text.stdout, /packages\/worker\/src\/inbox\.ts:4/);
    assert.match(text.stdout, /only OAuth for this mailbox, yet this code logs in with a password/);
    const md = cli(['inventory', WS, ...ALL, '--format', 'markdown']);
    assert.match(md.stdout, /^## Mailbox inventory/m);
    assert.match(md.stdout, /^- `noreply@contoso\.com`/m);
    for (const out of [text.stdout, text.stderr, md.stdout, JSON.stringify(json)]) {
      for (const p of PRIVATE) {
        assert.ok(!out.includes(p), `"${p}" leaked into the output`);
      }
    }
  });

  it("writes --output atomically, and the scan JSON carries each finding's mailbox", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-inv-'));
    const out = path.join(dir, 'inventory.json');
    const r = cli([
      'inventory',
      WS,
      '--report',
      R('smtp-auth-clients.csv'),
      '--format',
      'json',
      '--output',
      out,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /inventory written to/);
    assert.equal((JSON.parse(fs.readFileSync(out, 'utf8')) as InventoryJson).version, 1);
    assert.deepEqual(fs.readdirSync(dir), ['inventory.json']);
    const scan = JSON.parse(cli(['scan', WS, '--format', 'json']).stdout) as {
      version: number;
      findings: { file: string; mailbox?: string }[];
    };
    assert.equal(scan.version, 1);
    assert.deepEqual(Object.fromEntries(scan.findings.map((f) => [f.file, f.mailbox ?? null])), {
      'packages/api/src/mailer.js': 'NoReply@Contoso.com',
      'packages/archive/pop.js': 'archive@contoso.com',
      'packages/notify/src/send.js': 'alerts@contoso.com',
      'packages/unknown/index.js': null, // .env.example placeholders are not mailboxes
      'packages/worker/src/inbox.ts': 'support@contoso.com',
    });
  });

  it('an unresolved-host finding (--report-unresolved) carries its mailbox too', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-inv-unres-'));
    fs.writeFileSync(
      path.join(dir, 'x.js'),
      "require('nodemailer').createTransport({ host: process.env.MAIL_HOST, auth: { user: 'ops@contoso.com', pass: process.env.P } });\n",
    );
    const scan = JSON.parse(cli(['scan', dir, '--report-unresolved', '--format', 'json']).stdout) as {
      findings: { code: string; mailbox?: string }[];
    };
    assert.deepEqual(
      scan.findings.map((f) => [f.code, f.mailbox]),
      [['unresolved-mail-host', 'ops@contoso.com']],
    );
  });

  it('exits 2 with a clear message for an unknown report format, a missing file or no --report', () => {
    const unknown = cli(['inventory', WS, '--report', R('unknown-format.csv')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Headers found: "Name", "Email", "Phone"\.\nExpected one of:/);
    const missing = cli(['inventory', WS, '--report', R('nope.csv')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.csv: ENOENT/);
    const none = cli(['inventory', WS]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /at least one --report/);
    assert.equal(cli(['inventory', WS, '--report', R('email-app-usage.csv'), '--format', 'xml']).code, 2);
  });

  it('exits 0 when every mailbox is on OAuth and no code logs in with a password', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-inv-ok-'));
    const report = path.join(dir, 'smtp.csv');
    fs.writeFileSync(
      report,
      'Sender address,Messages sent,Authentication protocol\nok@contoso.com,5,OAuth\n',
    );
    fs.writeFileSync(path.join(dir, 'app.js'), 'console.log(1);\n');
    const r = cli(['inventory', dir, '--report', report]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /already on OAuth \(1\)/);
  });
});
