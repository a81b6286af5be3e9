/**
 * Reading the admin exports that say which mailboxes still log in with a password (docs/domain-facts.md 7.5):
 *   - Exchange admin center → Reports → Mail flow → SMTP AUTH clients (CSV),
 *   - Entra sign-in logs: the portal's CSV download and Graph `auditLogs/signIns` JSON,
 *   - Graph `getEmailAppUsageUserDetail` (CSV).
 * A report is recognised by its headers, compared without case, spaces and punctuation (the exact spelling
 * of several exports is unverified, the Entra CSV has a trailing space and a double space in two headers).
 * Only the mailbox, protocol, auth type, date and count of a row are kept: IP addresses, user agents and
 * the rest never leave this module.
 */
import { parse, type Options } from 'csv-parse/sync';

/** What a report says about one mailbox on one row. */
export interface UsageRow {
  /** The address or UPN as written in the report (trimmed). */
  mailbox: string;
  /** smtp, imap, pop3, ews, eas, or another legacy protocol name (lower case, no spaces). */
  protocol: string;
  auth: 'basic' | 'oauth' | 'unknown';
  /** ISO 8601 (UTC) of the row's date, when it has one. */
  lastSeen?: string;
  /** Messages sent (SMTP AUTH clients report), sign-ins (1 per sign-in row), or 1 (usage report). */
  count: number;
}

export type ReportKind = 'smtp-auth-clients' | 'entra-sign-ins' | 'entra-sign-ins-graph' | 'email-app-usage';

/** A report file, read. */
export interface ParsedReport {
  /** The file as given on the command line. */
  report: string;
  kind: ReportKind;
  rows: UsageRow[];
  /** Rows skipped because they could not be read (bad quoting, wrong number of fields, no user, bad date). */
  malformed: number;
  /** Rows whose user name is concealed (a 32-hex hash): they cannot be linked to code. */
  hashed: number;
  /** Rows that are neither Basic auth nor a legacy protocol (browser and modern-auth app sign-ins). */
  ignored: number;
  /** Notes for the reader (ambiguous dates, an export without the Authentication protocol column...). */
  notes: string[];
}

/** A report that could not be recognised or read; the message names what was found and what was expected. */
export class ReportError extends Error {}

/** Header comparison key: lower case, letters and digits only. */
export const headerKey = (h: string): string => h.toLowerCase().replace(/[^a-z0-9]/g, '');

const HASHED = /^[0-9a-f]{32}$/i;

/** Entra "Client app" / Graph clientAppUsed → protocol, for the legacy (Basic auth capable) clients. */
const LEGACY_CLIENT_APPS: Record<string, string> = {
  authenticatedsmtp: 'smtp',
  smtp: 'smtp',
  imap4: 'imap',
  imap: 'imap',
  pop3: 'pop3',
  pop: 'pop3',
  exchangewebservices: 'ews',
  exchangeactivesync: 'eas',
  autodiscover: 'autodiscover',
  mapioverhttp: 'mapi',
  offlineaddressbook: 'oab',
  outlookanywhererpcoverhttp: 'rpc',
  exchangeonlinepowershell: 'powershell',
  exchangeonlineremotepowershell: 'powershell',
  reportingwebservices: 'reporting-web-services',
  otherclients: 'other',
};

/** The header sets that identify each CSV kind; the first alternative that is present wins. */
const CSV_KINDS: {
  kind: Exclude<ReportKind, 'entra-sign-ins-graph'>;
  required: string[][];
  label: string;
}[] = [
  {
    kind: 'email-app-usage',
    label:
      'email app usage (getEmailAppUsageUserDetail): User Principal Name, SMTP App / IMAP4 App / POP3 App',
    required: [['userprincipalname'], ['smtpapp', 'imap4app', 'pop3app']],
  },
  {
    kind: 'entra-sign-ins',
    label: 'Entra sign-in log: Username (or User principal name), Client app, Date (UTC)',
    required: [
      ['username', 'userprincipalname'],
      ['clientapp', 'clientappused'],
    ],
  },
  {
    kind: 'smtp-auth-clients',
    label: 'SMTP AUTH clients report: Sender address, Messages sent (Authentication protocol since Oct 2024)',
    required: [
      ['senderaddress', 'sender', 'senderemailaddress'],
      ['messagessent', 'messagecount', 'messages'],
    ],
  },
];

/** Picks the first header of `names` the report has; returns its column index. */
function column(index: Map<string, number>, names: string[]): number | undefined {
  for (const n of names) {
    const i = index.get(n);
    if (i !== undefined) {
      return i;
    }
  }
  return undefined;
}

/** Decodes a report file: UTF-8 (with or without BOM) or UTF-16 with a BOM (Excel's "Unicode text"). */
export function decodeReport(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) {
    return buf.subarray(2).toString('utf16le');
  }
  if (buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

/** Reads a report (CSV or Graph JSON) and keeps the rows about Basic auth and legacy protocols. */
export function parseReport(report: string, buf: Buffer): ParsedReport {
  const text = decodeReport(buf);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    return parseGraphSignIns(report, trimmed);
  }
  return parseCsvReport(report, text);
}

/** Splits CSV text into records; malformed records are skipped and counted. */
export function readCsv(text: string): { records: string[][]; malformed: number } {
  // Windows PowerShell's Export-Csv starts with "#TYPE Selected.System.Management.Automation.PSCustomObject".
  const body = text.replace(/^#TYPE[^\n]*\n/, '');
  const firstLine = body.slice(0, body.indexOf('\n') >>> 0);
  const delimiter = [',', ';', '\t'].reduce((best, d) =>
    firstLine.split(d).length > firstLine.split(best).length ? d : best,
  );
  const options = { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true };
  let malformed = 0;
  const records: string[][] = parse(body, {
    ...options,
    skip_records_with_error: true,
    on_skip: () => {
      malformed++;
      return undefined;
    },
  });
  // csv-parse does not find its feet after a quoting error (the rows after it are lost too): read again
  // one record at a time, so a bad row costs only itself.
  return malformed ? readRecordByRecord(body, options) : { records, malformed };
}

/** Lines a record may span (quoted newlines) before an unbalanced quote is taken for a broken row. */
const MAX_RECORD_LINES = 20;

function readRecordByRecord(body: string, options: Options): { records: string[][]; malformed: number } {
  const lines = body.split(/\r?\n/);
  const records: string[][] = [];
  let malformed = 0;
  for (let i = 0; i < lines.length; ) {
    let j = i;
    let chunk = lines[i];
    // a record ends where its quotes balance
    while ((chunk.match(/"/g)?.length ?? 0) % 2 === 1 && j + 1 < lines.length && j - i < MAX_RECORD_LINES) {
      chunk += `\n${lines[++j]}`;
    }
    if ((chunk.match(/"/g)?.length ?? 0) % 2 === 1) {
      malformed++;
      i++;
      continue;
    }
    i = j + 1;
    if (!chunk.trim()) {
      continue;
    }
    try {
      records.push(...(parse(chunk, options) satisfies string[][]));
    } catch {
      malformed++;
    }
  }
  return { records, malformed };
}

function parseCsvReport(report: string, text: string): ParsedReport {
  const { records, malformed: unreadable } = readCsv(text);
  const header = records[0] ?? [];
  const index = new Map<string, number>();
  // first occurrence wins: the Entra CSV repeats "Incoming token type"
  header.forEach((h, i) => {
    const k = headerKey(h);
    if (k && !index.has(k)) {
      index.set(k, i);
    }
  });
  const kind = CSV_KINDS.find((k) => k.required.every((alts) => column(index, alts) !== undefined));
  if (!kind) {
    const found = header
      .map((h) => JSON.stringify(h.trim()))
      .slice(0, 20)
      .join(', ');
    throw new ReportError(
      `${report}: not a report this tool reads. Headers found: ${found || '(none)'}${header.length > 20 ? ', …' : ''}.\nExpected one of:\n${CSV_KINDS.map((k) => `  - ${k.label}`).join('\n')}\n  - Entra sign-in log as Graph JSON (auditLogs/signIns): userPrincipalName, clientAppUsed, createdDateTime`,
    );
  }
  const out: ParsedReport = {
    report,
    kind: kind.kind,
    rows: [],
    malformed: unreadable,
    hashed: 0,
    ignored: 0,
    notes: [],
  };
  const rows = records.slice(1);
  const cell = (r: string[], i: number | undefined): string => (i === undefined ? '' : (r[i] ?? '').trim());
  const wrongWidth = (r: string[]): boolean => r.length !== header.length;
  const take = (r: string[], mailbox: string): boolean => {
    if (wrongWidth(r) || !mailbox) {
      out.malformed++;
      return false;
    }
    if (HASHED.test(mailbox)) {
      out.hashed++;
      return false;
    }
    return true;
  };
  if (kind.kind === 'smtp-auth-clients') {
    const sender = column(index, ['senderaddress', 'sender', 'senderemailaddress'])!;
    const sent = column(index, ['messagessent', 'messagecount', 'messages'])!;
    const auth = column(index, [
      'authenticationprotocol',
      'authprotocol',
      'authenticationtype',
      'authenticationmethod',
    ]);
    const date = column(index, ['lastseen', 'lastused', 'date', 'dateutc', 'lastactivitydate']);
    if (auth === undefined) {
      out.notes.push(
        'this export has no Authentication protocol column (added in Oct 2024): Basic and OAuth cannot be told apart',
      );
    }
    const dates = dateReader(rows.map((r) => cell(r, date)));
    for (const r of rows) {
      const mailbox = cell(r, sender);
      const n = Number(cell(r, sent).replace(/[\s,]/g, ''));
      if (!take(r, mailbox)) {
        continue;
      }
      if (!Number.isFinite(n) || cell(r, sent) === '') {
        out.malformed++;
        continue;
      }
      const a = headerKey(cell(r, auth));
      out.rows.push({
        mailbox,
        protocol: 'smtp',
        auth: a.startsWith('basic') ? 'basic' : a.startsWith('oauth') || a === 'modern' ? 'oauth' : 'unknown',
        lastSeen: dates(cell(r, date)),
        count: n,
      });
    }
  } else if (kind.kind === 'entra-sign-ins') {
    const user = column(index, ['username', 'userprincipalname'])!;
    const app = column(index, ['clientapp', 'clientappused'])!;
    const date = column(index, ['dateutc', 'date', 'createddatetime']);
    const dates = dateReader(rows.map((r) => cell(r, date)));
    for (const r of rows) {
      if (!take(r, cell(r, user))) {
        continue;
      }
      const protocol = LEGACY_CLIENT_APPS[headerKey(cell(r, app))];
      if (!protocol) {
        out.ignored++;
        continue;
      }
      const when = cell(r, date);
      const lastSeen = dates(when);
      if (when && !lastSeen) {
        out.malformed++;
        continue;
      }
      out.rows.push({ mailbox: cell(r, user), protocol, auth: 'basic', lastSeen, count: 1 });
    }
    if (dates.ambiguous) {
      out.notes.push(dates.ambiguous);
    }
  } else {
    const upn = column(index, ['userprincipalname'])!;
    const date = column(index, ['lastactivitydate', 'reportrefreshdate']);
    const apps: [number | undefined, string][] = [
      [column(index, ['smtpapp']), 'smtp'],
      [column(index, ['imap4app']), 'imap'],
      [column(index, ['pop3app']), 'pop3'],
    ];
    const dates = dateReader(rows.map((r) => cell(r, date)));
    for (const r of rows) {
      if (!take(r, cell(r, upn))) {
        continue;
      }
      const used = apps.filter(([i]) => i !== undefined && marked(cell(r, i)));
      if (!used.length) {
        out.ignored++;
        continue;
      }
      for (const [, protocol] of used) {
        out.rows.push({
          mailbox: cell(r, upn),
          protocol,
          auth: 'unknown',
          lastSeen: dates(cell(r, date)),
          count: 1,
        });
      }
    }
    out.notes.push(
      'the email app usage report tells which protocols a mailbox uses, not whether with a password',
    );
  }
  if (out.hashed) {
    out.notes.push(hashedNote(out.hashed));
  }
  return out;
}

/** "Yes", "True", "1", "x", a positive count: the usage report marks a protocol as used. */
function marked(v: string): boolean {
  const k = v.trim().toLowerCase();
  return k === 'yes' || k === 'true' || k === 'x' || (/^\d+$/.test(k) && Number(k) > 0);
}

export function hashedNote(n: number): string {
  return `${n} row(s) have concealed user names (32-hex hashes) and cannot be linked to code: in the Microsoft 365 admin center, Settings → Org settings → Reports, clear "Display concealed user, group, and site names in all reports", then export again`;
}

function parseGraphSignIns(report: string, text: string): ParsedReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${report}: not valid JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(json) ? json : (json as { value?: unknown })?.value;
  const expected =
    'Expected a Graph auditLogs/signIns response ({ "value": [ { "userPrincipalName", "clientAppUsed", "createdDateTime", … } ] }) or an array of such sign-ins';
  if (!Array.isArray(list)) {
    const keys = json && typeof json === 'object' ? Object.keys(json).slice(0, 20).join(', ') : typeof json;
    throw new ReportError(
      `${report}: JSON without a sign-in list. Keys found: ${keys || '(none)'}. ${expected}`,
    );
  }
  const first = list.find((x) => x && typeof x === 'object') as Record<string, unknown> | undefined;
  if (list.length && (!first || !('userPrincipalName' in first) || !('clientAppUsed' in first))) {
    throw new ReportError(
      `${report}: JSON entries are not sign-ins. Keys found: ${first ? Object.keys(first).slice(0, 20).join(', ') : '(none)'}. ${expected}`,
    );
  }
  const out: ParsedReport = {
    report,
    kind: 'entra-sign-ins-graph',
    rows: [],
    malformed: 0,
    hashed: 0,
    ignored: 0,
    notes: [],
  };
  for (const x of list as Record<string, unknown>[]) {
    const upn = typeof x?.userPrincipalName === 'string' ? x.userPrincipalName.trim() : '';
    const app = typeof x?.clientAppUsed === 'string' ? x.clientAppUsed : '';
    const when = typeof x?.createdDateTime === 'string' ? new Date(x.createdDateTime) : undefined;
    if (!upn || (when && Number.isNaN(when.getTime()))) {
      out.malformed++;
      continue;
    }
    if (HASHED.test(upn)) {
      out.hashed++;
      continue;
    }
    const protocol = LEGACY_CLIENT_APPS[headerKey(app)];
    if (!protocol) {
      out.ignored++;
      continue;
    }
    out.rows.push({ mailbox: upn, protocol, auth: 'basic', lastSeen: when?.toISOString(), count: 1 });
  }
  if (out.hashed) {
    out.notes.push(hashedNote(out.hashed));
  }
  return out;
}

/**
 * A date reader for one column. Portal exports write dates in the downloader's locale: `2026-11-03T10:22:01Z`,
 * `11/3/2026, 10:22:01 AM` (month first), `03/11/2026 10:22:01` or `3.11.2026 10:22` (day first). The order is
 * decided once per column: a first number over 12 means day first, a second number over 12 month first;
 * dotted dates are day first; when nothing decides, month first (the portal's en-US default) with a note.
 */
export function dateReader(values: string[]): ((v: string) => string | undefined) & { ambiguous?: string } {
  const NUMERIC =
    /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}),?\s*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?/;
  let dayFirst: boolean | undefined;
  let numeric = false;
  for (const v of values) {
    const m = NUMERIC.exec(v.trim());
    if (!m) {
      continue;
    }
    numeric = true;
    if (Number(m[1]) > 12) {
      dayFirst = true;
      break;
    }
    if (Number(m[3]) > 12) {
      dayFirst = false;
      break;
    }
    if (m[2] === '.') {
      dayFirst = true;
    }
  }
  const read = (v: string): string | undefined => {
    const t = v.trim();
    if (!t) {
      return undefined;
    }
    const m = NUMERIC.exec(t);
    if (m) {
      const [day, month] = dayFirst ? [Number(m[1]), Number(m[3])] : [Number(m[3]), Number(m[1])];
      let hour = Number(m[5] ?? 0);
      if (m[8]) {
        hour = (hour % 12) + (m[8].toLowerCase() === 'pm' ? 12 : 0);
      }
      if (month < 1 || month > 12 || day < 1 || day > 31) {
        return undefined;
      }
      return new Date(
        Date.UTC(Number(m[4]), month - 1, day, hour, Number(m[6] ?? 0), Number(m[7] ?? 0)),
      ).toISOString();
    }
    // ISO 8601 ("2026-11-03", "2026-11-03 10:22:01", "2026-11-03T10:22:01Z"): UTC unless an offset is given
    const iso = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
    if (iso) {
      const d = new Date(iso[1] || t.length === 10 ? t.replace(' ', 'T') : `${t.replace(' ', 'T')}Z`);
      return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
    }
    return undefined;
  };
  return Object.assign(read, {
    ambiguous:
      numeric && dayFirst === undefined
        ? 'dates such as 03/04/2026 could be read either way; they were read month first (the portal default for en-US): check the Date (UTC) column'
        : undefined,
  });
}
