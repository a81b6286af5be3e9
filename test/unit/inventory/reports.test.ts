/** Reading admins' reports: recognised by headers, BOM/UTF-16, day-first dates, hashed UPNs, malformed rows. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildInventory, parseAliasMap } from '../../../src/core/inventory';
import { dateReader, parseReport, ReportError } from '../../../src/core/inventory/reports';
import type { Finding } from '../../../src/core/model';

const DIR = path.resolve(__dirname, '../../fixtures/inventory/reports');
const read = (f: string) => parseReport(f, fs.readFileSync(path.join(DIR, f)));

describe('inventory: report formats', () => {
  it('SMTP AUTH clients report (BOM, Authentication protocol column, thousands separator, malformed rows)', () => {
    const r = read('smtp-auth-clients.csv');
    assert.equal(r.kind, 'smtp-auth-clients');
    assert.equal(
      r.malformed,
      2,
      'a row with too few fields and one with bad quoting; the rows after them are kept',
    );
    assert.deepEqual(
      r.rows.map((x) => [x.mailbox, x.auth, x.count]),
      [
        ['noreply@contoso.com', 'basic', 1234],
        ['alerts@contoso.com', 'oauth', 56],
        ['scanner-3f@contoso.com', 'basic', 310],
        ['newsletter@contoso.com', 'oauth', 1200],
        ['helpdesk@contoso.com', 'basic', 7],
      ],
    );
    assert.ok(r.rows.every((x) => x.protocol === 'smtp'));
  });

  it('matches headers ignoring case, spaces and punctuation; notes an export without the auth column', () => {
    const csv = 'SENDER_ADDRESS;messages-sent\nA@contoso.com;3\n';
    const r = parseReport('x.csv', Buffer.from(csv));
    assert.equal(r.kind, 'smtp-auth-clients');
    assert.deepEqual(r.rows[0], {
      mailbox: 'A@contoso.com',
      protocol: 'smtp',
      auth: 'unknown',
      lastSeen: undefined,
      count: 3,
    });
    assert.match(r.notes.join(), /no Authentication protocol column/);
  });

  it("Entra sign-in CSV: the portal's real header row (57 columns, duplicated and double-spaced headers), day-first dates", () => {
    const r = read('entra-sign-ins.csv');
    assert.equal(r.kind, 'entra-sign-ins');
    assert.equal(r.ignored, 1, 'the Browser sign-in');
    assert.equal(r.malformed, 1, 'the truncated row');
    assert.deepEqual(
      r.rows.map((x) => [x.mailbox, x.protocol, x.lastSeen]),
      [
        ['support.desk@contoso.onmicrosoft.com', 'imap', '2026-11-23T08:14:02.000Z'],
        ['support.desk@contoso.onmicrosoft.com', 'imap', '2026-11-03T10:00:00.000Z'],
        ['archive@contoso.com', 'pop3', '2026-11-24T09:30:00.000Z'],
        ['printer@contoso.com', 'smtp', '2026-11-25T17:45:10.000Z'],
        ['ews-sync@contoso.com', 'ews', '2026-11-26T07:00:00.000Z'],
      ],
    );
    assert.ok(r.rows.every((x) => x.auth === 'basic'));
    // nothing but mailbox, protocol, auth, date and count is kept
    assert.ok(!JSON.stringify(r).includes('203.0.113.7'));
    assert.ok(!JSON.stringify(r).includes('imaplib'));
  });

  it('Entra sign-ins as Graph JSON (clientAppUsed SMTP, a bad date counted)', () => {
    const r = read('entra-sign-ins-graph.json');
    assert.equal(r.kind, 'entra-sign-ins-graph');
    assert.deepEqual(
      r.rows.map((x) => [x.mailbox, x.protocol]),
      [
        ['Archive@contoso.com', 'pop3'],
        ['noreply@contoso.com', 'smtp'],
      ],
    );
    assert.equal(r.ignored, 1);
    assert.equal(r.malformed, 1);
    assert.ok(!JSON.stringify(r).includes('198.51.100.23'));
  });

  it('email app usage report, and its hashed-UPN variant', () => {
    const r = read('email-app-usage.csv');
    assert.equal(r.kind, 'email-app-usage');
    assert.deepEqual(
      r.rows.map((x) => [x.mailbox, x.protocol, x.auth, x.lastSeen]),
      [
        ['noreply@contoso.com', 'smtp', 'unknown', '2026-11-28T00:00:00.000Z'],
        ['support@contoso.com', 'imap', 'unknown', '2026-11-26T00:00:00.000Z'],
      ],
    );
    const h = read('email-app-usage-hashed.csv');
    assert.equal(h.rows.length, 0);
    assert.equal(h.hashed, 2);
    assert.match(h.notes.join('\n'), /concealed user names.*Display concealed user, group, and site names/);
  });

  it('UTF-16 with BOM (Excel "Unicode text")', () => {
    const text = 'Sender address\tMessages sent\tAuthentication protocol\r\nu@contoso.com\t5\tBasic\r\n';
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const r = parseReport('u16.csv', buf);
    assert.deepEqual(
      r.rows.map((x) => [x.mailbox, x.auth, x.count]),
      [['u@contoso.com', 'basic', 5]],
    );
  });

  it('an unknown format names the headers found and the ones expected; bad JSON too', () => {
    assert.throws(
      () => read('unknown-format.csv'),
      (e: Error) => {
        assert.ok(e instanceof ReportError);
        assert.match(e.message, /Headers found: "Name", "Email", "Phone"/);
        assert.match(e.message, /SMTP AUTH clients report: Sender address/);
        assert.match(e.message, /Entra sign-in log: Username/);
        assert.match(e.message, /getEmailAppUsageUserDetail/);
        return true;
      },
    );
    assert.throws(
      () => parseReport('x.json', Buffer.from('{"value": [{"foo": 1}]}')),
      /not sign-ins. Keys found: foo/,
    );
    assert.throws(() => parseReport('x.json', Buffer.from('{"value": [')), /not valid JSON/);
  });

  it('reads dates day first or month first per column, and says when it cannot tell', () => {
    const dmy = dateReader(['03/11/2026 10:00:00', '23/11/2026 08:00:00']);
    assert.equal(dmy('03/11/2026 10:00:00'), '2026-11-03T10:00:00.000Z');
    const mdy = dateReader(['11/3/2026, 10:22:01 PM', '11/23/2026, 9:00:00 AM']);
    assert.equal(mdy('11/3/2026, 10:22:01 PM'), '2026-11-03T22:22:01.000Z');
    assert.equal(mdy.ambiguous, undefined);
    assert.equal(dateReader(['3.11.2026 10:22'])('3.11.2026 10:22'), '2026-11-03T10:22:00.000Z');
    const amb = dateReader(['03/04/2026 10:00:00']);
    assert.match(amb.ambiguous ?? '', /month first/);
    assert.equal(dateReader(['2026-11-03T10:22:01Z'])('2026-11-03 10:22:01'), '2026-11-03T10:22:01.000Z');
    assert.equal(dateReader([])('yesterday'), undefined);
  });
});

describe('inventory: linking mailboxes to findings', () => {
  const finding = (
    file: string,
    mailbox: string | undefined,
    protocol: Finding['protocol'] = 'smtp',
  ): Finding =>
    ({
      code: 'nodemailer-password-auth',
      protocol,
      span: { file: `/ws/${file}`, line: 3 },
      mailbox,
    }) as unknown as Finding;

  it('joins case-insensitively and through the alias map (UPN and proxy addresses → primary)', () => {
    const aliases = parseAliasMap('aliases.csv', fs.readFileSync(path.join(DIR, 'aliases.csv'), 'utf8'));
    assert.equal(aliases.get('support.desk@contoso.onmicrosoft.com'), 'support@contoso.com');
    assert.equal(aliases.get('helpdesk@contoso.com'), 'support@contoso.com');
    const inv = buildInventory(
      [read('smtp-auth-clients.csv'), read('entra-sign-ins.csv')],
      [
        finding('a.js', 'NoReply@Contoso.com'),
        finding('b.ts', 'support@contoso.com', 'imap'),
        finding('c.js', undefined),
        finding('d.js', 'other@contoso.com'),
      ],
      '/ws',
      aliases,
    );
    const box = (m: string) => inv.mailboxes.find((x) => x.mailbox === m);
    assert.deepEqual(box('noreply@contoso.com')?.findings, [
      { file: 'a.js', line: 3, code: 'nodemailer-password-auth', protocol: 'smtp' },
    ]);
    const support = box('support@contoso.com');
    assert.deepEqual(
      support?.protocols,
      ['imap', 'smtp'],
      'helpdesk@ (SMTP report) and the UPN (sign-ins) are one mailbox',
    );
    assert.equal(support?.sources.find((s) => s.kind === 'entra-sign-ins')?.count, 2);
    assert.equal(
      support?.sources.find((s) => s.kind === 'entra-sign-ins')?.lastSeen,
      '2026-11-23T08:14:02.000Z',
    );
    assert.equal(support?.findings.length, 1);
    assert.equal(box('newsletter@contoso.com')?.auth, 'oauth');
    assert.deepEqual(box('printer@contoso.com')?.findings, []);
    assert.deepEqual(
      inv.findingsWithoutReport.map((f) => [f.file, f.mailbox]),
      [
        ['c.js', null],
        ['d.js', 'other@contoso.com'],
      ],
    );
    assert.equal(inv.reports[0].malformed, 2);
  });

  it('without the alias map the UPN stays its own mailbox', () => {
    const inv = buildInventory(
      [read('entra-sign-ins.csv')],
      [finding('b.ts', 'support@contoso.com', 'imap')],
      '/ws',
    );
    assert.ok(
      inv.mailboxes.some((m) => m.mailbox === 'support.desk@contoso.onmicrosoft.com' && !m.findings.length),
    );
    assert.equal(inv.findingsWithoutReport.length, 1);
  });

  it('rejects an alias map without the expected columns', () => {
    assert.throws(
      () => parseAliasMap('a.csv', 'foo,bar\n1,2\n'),
      /not an alias map.*UserPrincipalName and PrimarySmtpAddress/s,
    );
  });
});
