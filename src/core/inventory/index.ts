/**
 * The mailbox inventory: joins what admins' reports say (which mailboxes log in with a password, and over
 * which protocol) with what the scan found in code (which login uses which mailbox). A mailbox is matched
 * case-insensitively, through an optional alias map (UPN ↔ primary SMTP address ↔ proxy addresses).
 */
import { relPath } from '../report';
import type { Finding } from '../model';
import { readCsv, headerKey, ReportError, type ParsedReport, type ReportKind } from './reports';

/** A finding as the inventory lists it. */
export interface InventoryFinding {
  file: string;
  line: number;
  code: string;
  protocol: string;
}

/** The JSON contract of `mail-oauth-migrate inventory --format json` (version 1; fields are only added). */
export interface InventoryJson {
  version: 1;
  mailboxes: {
    /** The primary address when the alias map knows it, else the address as the reports wrote it (lower case). */
    mailbox: string;
    /** basic: some report shows Basic auth / a legacy protocol; oauth: only OAuth; unknown: the reports cannot tell. */
    auth: 'basic' | 'oauth' | 'unknown';
    protocols: string[];
    sources: { report: string; kind: ReportKind; lastSeen: string | null; count: number }[];
    /** Code whose login user resolves to this mailbox; empty: a device or an app outside the scanned paths. */
    findings: InventoryFinding[];
  }[];
  /** Findings whose mailbox is in no report (or could not be resolved: `mailbox` null). */
  findingsWithoutReport: (InventoryFinding & { mailbox: string | null })[];
  /** What was read from each report. */
  reports: {
    report: string;
    kind: ReportKind;
    rows: number;
    malformed: number;
    hashed: number;
    ignored: number;
    notes: string[];
  }[];
}

/** Lower-cased address → canonical (primary) address. */
export type AliasMap = Map<string, string>;

const norm = (s: string): string => s.trim().toLowerCase();

/**
 * Reads an alias map CSV: `Get-EXOMailbox -ResultSize Unlimited | Select UserPrincipalName, PrimarySmtpAddress,
 * EmailAddresses | Export-Csv aliases.csv`. Every UPN and proxy address maps to the primary SMTP address.
 */
export function parseAliasMap(file: string, text: string): AliasMap {
  const { records } = readCsv(text.replace(/^\uFEFF/, ''));
  const header = (records[0] ?? []).map(headerKey);
  const primary = header.findIndex(
    (h) => h === 'primarysmtpaddress' || h === 'primaryaddress' || h === 'windowsemailaddress',
  );
  const upn = header.findIndex((h) => h === 'userprincipalname' || h === 'upn');
  const proxies = header.findIndex((h) => h === 'emailaddresses' || h === 'proxyaddresses');
  if (primary < 0 || (upn < 0 && proxies < 0)) {
    throw new ReportError(
      `${file}: not an alias map. Headers found: ${(records[0] ?? []).map((h) => JSON.stringify(h)).join(', ') || '(none)'}. Expected UserPrincipalName and PrimarySmtpAddress (optionally EmailAddresses), e.g. from: Get-EXOMailbox -ResultSize Unlimited | Select-Object UserPrincipalName,PrimarySmtpAddress,EmailAddresses | Export-Csv aliases.csv -NoTypeInformation`,
    );
  }
  const map: AliasMap = new Map();
  for (const r of records.slice(1)) {
    const p = norm(r[primary] ?? '');
    if (!p) {
      continue;
    }
    map.set(p, p);
    if (upn >= 0 && r[upn]?.trim()) {
      map.set(norm(r[upn]), p);
    }
    for (const a of (proxies >= 0 ? (r[proxies] ?? '') : '').split(/[\s;,{}]+/)) {
      const m = /^(?:smtp:)?([^\s@:]+@[^\s@]+)$/i.exec(a);
      if (m) {
        map.set(norm(m[1]), p);
      }
    }
  }
  return map;
}

const AUTH_RANK = { unknown: 0, oauth: 1, basic: 2 } as const;

/** Joins the reports and the scan's findings. `root` makes finding paths relative. */
export function buildInventory(
  reports: ParsedReport[],
  findings: readonly Finding[],
  root: string,
  aliases: AliasMap = new Map(),
): InventoryJson {
  const canon = (s: string): string => aliases.get(norm(s)) ?? norm(s);
  type Box = InventoryJson['mailboxes'][number] & { authSeen: Set<'basic' | 'oauth' | 'unknown'> };
  const boxes = new Map<string, Box>();
  for (const rep of reports) {
    for (const row of rep.rows) {
      const key = canon(row.mailbox);
      let box = boxes.get(key);
      if (!box) {
        box = {
          mailbox: key,
          auth: 'unknown',
          protocols: [],
          sources: [],
          findings: [],
          authSeen: new Set(),
        };
        boxes.set(key, box);
      }
      box.authSeen.add(row.auth);
      if (!box.protocols.includes(row.protocol)) {
        box.protocols.push(row.protocol);
      }
      let src = box.sources.find((s) => s.report === rep.report && s.kind === rep.kind);
      if (!src) {
        src = { report: rep.report, kind: rep.kind, lastSeen: null, count: 0 };
        box.sources.push(src);
      }
      src.count += row.count;
      if (row.lastSeen && (!src.lastSeen || row.lastSeen > src.lastSeen)) {
        src.lastSeen = row.lastSeen;
      }
    }
  }
  const toItem = (f: Finding): InventoryFinding => ({
    file: relPath(root, f.span.file),
    line: f.span.line,
    code: f.code,
    protocol: f.protocol,
  });
  const without: InventoryJson['findingsWithoutReport'] = [];
  for (const f of findings) {
    const box = f.mailbox ? boxes.get(canon(f.mailbox)) : undefined;
    if (box) {
      box.findings.push(toItem(f));
    } else {
      without.push({ ...toItem(f), mailbox: f.mailbox ?? null });
    }
  }
  const mailboxes = [...boxes.values()].map(({ authSeen, ...b }) => ({
    ...b,
    // Basic anywhere wins: a mailbox still on a password somewhere is not migrated. A report that cannot
    // tell (the usage report) adds nothing when another one can.
    auth: [...authSeen].reduce<'basic' | 'oauth' | 'unknown'>(
      (a, x) => (AUTH_RANK[x] > AUTH_RANK[a] ? x : a),
      'unknown',
    ),
    protocols: b.protocols.sort(),
  }));
  mailboxes.sort(
    (a, b) =>
      AUTH_RANK[b.auth] - AUTH_RANK[a.auth] ||
      b.findings.length - a.findings.length ||
      a.mailbox.localeCompare(b.mailbox),
  );
  return {
    version: 1,
    mailboxes,
    findingsWithoutReport: without,
    reports: reports.map((r) => ({
      report: r.report,
      kind: r.kind,
      rows: r.rows.length,
      malformed: r.malformed,
      hashed: r.hashed,
      ignored: r.ignored,
      notes: r.notes,
    })),
  };
}

const KIND_NAME: Record<ReportKind, string> = {
  'smtp-auth-clients': 'SMTP AUTH clients report',
  'entra-sign-ins': 'Entra sign-in log (CSV)',
  'entra-sign-ins-graph': 'Entra sign-in log (Graph JSON)',
  'email-app-usage': 'email app usage report',
};

const DEVICES =
  'No code found for these in the scanned paths: printers, scanners and other apps. A device that cannot do OAuth can send to internal recipients through High Volume Email (smtp-hve.office365.com, Basic auth supported until Sep 2028) or through a relay (an Exchange connector, Direct Send to the MX for internal mail, Azure Communication Services Email for external mail); an app in another repository: scan that repository.';

function sourceText(s: InventoryJson['mailboxes'][number]['sources'][number]): string {
  const what =
    s.kind === 'smtp-auth-clients'
      ? `${s.count} message(s) sent`
      : s.kind === 'email-app-usage'
        ? 'marked'
        : `${s.count} sign-in(s)`;
  return `${KIND_NAME[s.kind]}: ${what}${s.lastSeen ? `, last ${s.lastSeen.slice(0, 10)}` : ''}`;
}

/** Human-readable inventory (text or Markdown). */
export function formatInventory(inv: InventoryJson, markdown = false): string {
  const out: string[] = [];
  const h = (s: string): string => (markdown ? `### ${s}` : s);
  const li = (s: string, indent = 0): string => `${' '.repeat(indent)}${markdown ? '- ' : ''}${s}`;
  const code = (s: string): string => (markdown ? `\`${s}\`` : s);
  const linked = inv.mailboxes.filter((m) => m.findings.length);
  const unlinked = inv.mailboxes.filter((m) => !m.findings.length && m.auth !== 'oauth');
  const oauth = inv.mailboxes.filter((m) => !m.findings.length && m.auth === 'oauth');
  if (markdown) {
    out.push('## Mailbox inventory', '');
  }
  out.push(h(`Mailboxes with code found (${linked.length})`));
  for (const m of linked) {
    out.push(li(`${code(m.mailbox)}  ${m.auth}  ${m.protocols.join(', ')}`));
    m.sources.forEach((s) => out.push(li(sourceText(s), markdown ? 2 : 4)));
    if (m.auth === 'oauth') {
      out.push(
        li(
          'the reports show only OAuth for this mailbox, yet this code logs in with a password: another deployment, code not deployed yet, or dead code',
          markdown ? 2 : 4,
        ),
      );
    }
    m.findings.forEach((f) =>
      out.push(li(`${code(`${f.file}:${f.line}`)}  ${f.protocol}  [${f.code}]`, markdown ? 2 : 4)),
    );
  }
  out.push('', h(`Mailboxes using Basic auth or a legacy protocol, no code found (${unlinked.length})`));
  if (unlinked.length) {
    out.push(DEVICES);
  }
  for (const m of unlinked) {
    out.push(li(`${code(m.mailbox)}  ${m.auth}  ${m.protocols.join(', ')}`));
    m.sources.forEach((s) => out.push(li(sourceText(s), markdown ? 2 : 4)));
  }
  if (oauth.length) {
    out.push('', h(`Mailboxes already on OAuth (${oauth.length})`));
    oauth.forEach((m) => out.push(li(`${code(m.mailbox)}  ${m.protocols.join(', ')}`)));
  }
  out.push('', h(`Findings whose mailbox is in no report (${inv.findingsWithoutReport.length})`));
  for (const f of inv.findingsWithoutReport) {
    out.push(
      li(
        `${code(`${f.file}:${f.line}`)}  ${f.protocol}  ${f.mailbox ?? '(mailbox not resolved statically)'}  [${f.code}]`,
      ),
    );
  }
  out.push('', h('Reports read'));
  for (const r of inv.reports) {
    out.push(
      li(
        `${r.report}: ${KIND_NAME[r.kind]}, ${r.rows} row(s) kept, ${r.ignored} not Basic/legacy, ${r.malformed} malformed (skipped), ${r.hashed} with concealed names`,
      ),
    );
    r.notes.forEach((n) => out.push(li(`note: ${n}`, markdown ? 2 : 4)));
  }
  return `${out.join('\n')}\n`;
}
