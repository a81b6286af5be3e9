/**
 * Admins' mailbox reports in the editor: "Import Mailbox Reports" reads the SMTP AUTH clients report, the Entra
 * sign-in log (CSV or Graph JSON), the email app usage report and an alias map with the CLI's `inventory` code
 * (dist/cli-inventory.js, required at run time), and keeps, in memory only, what each mailbox did: auth type,
 * protocols, messages sent / sign-ins, last seen. The findings view groups by mailbox with it, and hovers show it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InventoryJson, AliasMap } from '../core/inventory';
import type * as InventoryModule from '../core/inventory/cli';
import type { ParsedReport } from '../core/inventory/reports';
import { requireBundle } from './bundles';

export const IMPORT_REPORTS_COMMAND = 'mailOAuth.importReports';

/** What the reports say about one mailbox. */
export type MailboxFacts = Omit<InventoryJson['mailboxes'][number], 'findings'>;

export class MailboxReports implements vscode.Disposable {
  private reports: ParsedReport[] = [];
  private aliases: AliasMap = new Map();
  private facts = new Map<string, MailboxFacts>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  get imported(): boolean {
    return this.reports.length > 0;
  }

  /** The mailbox key a login user joins under (alias map, lower case). */
  key(mailbox: string): string {
    const k = mailbox.trim().toLowerCase();
    return this.aliases.get(k) ?? k;
  }

  factsFor(mailbox: string | undefined): MailboxFacts | undefined {
    return mailbox ? this.facts.get(this.key(mailbox)) : undefined;
  }

  /** Reads report files (and alias maps, told apart by their headers); returns what was read, per file. */
  import(
    files: string[],
  ): { file: string; kind?: string; rows?: number; malformed?: number; hashed?: number; error?: string }[] {
    const inv = requireBundle<typeof InventoryModule>('cli-inventory', '../core/inventory/cli');
    const out: ReturnType<MailboxReports['import']> = [];
    for (const file of files) {
      const name = path.basename(file);
      try {
        const buf = fs.readFileSync(file);
        let parsed: ParsedReport;
        try {
          parsed = inv.parseReport(name, buf);
        } catch (e) {
          // not a report: maybe the alias map (UserPrincipalName, PrimarySmtpAddress)
          if (
            !(e instanceof inv.ReportError) ||
            !/^\s*(#TYPE[^\n]*\n)?"?[^\n]*primarysmtpaddress/i.test(
              buf.toString('utf8').replace(/^\uFEFF/, ''),
            )
          ) {
            throw e;
          }
          for (const [k, v] of inv.parseAliasMap(name, buf.toString('utf8'))) {
            this.aliases.set(k, v);
          }
          out.push({ file: name, kind: 'alias-map' });
          continue;
        }
        this.reports = [...this.reports.filter((r) => r.report !== name), parsed];
        out.push({
          file: name,
          kind: parsed.kind,
          rows: parsed.rows.length,
          malformed: parsed.malformed,
          hashed: parsed.hashed,
        });
      } catch (e) {
        out.push({ file: name, error: (e as Error).message });
      }
    }
    const inventory = inv.buildInventory(this.reports, [], '', this.aliases);
    this.facts = new Map(inventory.mailboxes.map(({ findings: _f, ...m }) => [m.mailbox, m]));
    this.emitter.fire();
    return out;
  }

  clear(): void {
    this.reports = [];
    this.aliases = new Map();
    this.facts = new Map();
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

const KIND: Record<string, string> = {
  'smtp-auth-clients': 'SMTP AUTH clients report',
  'entra-sign-ins': 'Entra sign-in log',
  'entra-sign-ins-graph': 'Entra sign-in log (Graph)',
  'email-app-usage': 'email app usage report',
};

/** The facts as Markdown (hovers and tooltips). */
export function factsMarkdown(mailbox: string, f: MailboxFacts): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(
    `**${vscode.l10n.t('Mailbox')}** \`${f.mailbox === mailbox.toLowerCase() ? mailbox : `${mailbox} → ${f.mailbox}`}\`: `,
  );
  md.appendText(
    f.auth === 'basic'
      ? vscode.l10n.t('Basic auth or a legacy protocol in the reports ({0})', f.protocols.join(', '))
      : f.auth === 'oauth'
        ? vscode.l10n.t('only OAuth in the reports ({0})', f.protocols.join(', '))
        : vscode.l10n.t('uses {0} (the report does not tell the auth type)', f.protocols.join(', ')),
  );
  for (const s of f.sources) {
    const what =
      s.kind === 'smtp-auth-clients'
        ? vscode.l10n.t('{0} message(s) sent', s.count)
        : s.kind === 'email-app-usage'
          ? vscode.l10n.t('protocol in use')
          : vscode.l10n.t('{0} sign-in(s)', s.count);
    md.appendMarkdown('\n- ').appendText(
      `${KIND[s.kind] ?? s.kind} (${s.report}): ${what}${s.lastSeen ? `, ${vscode.l10n.t('last seen {0}', s.lastSeen.slice(0, 10))}` : ''}`,
    );
  }
  return md;
}

/** Command handler: picks files (or takes them from the caller) and imports them. */
export async function importReportsCommand(
  reports: MailboxReports,
  files?: string[],
): Promise<ReturnType<MailboxReports['import']>> {
  let paths = Array.isArray(files) ? files : undefined;
  if (!paths) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: vscode.l10n.t('Import'),
      title: vscode.l10n.t('SMTP AUTH clients report, Entra sign-in log, email app usage report, alias map'),
      filters: { [vscode.l10n.t('Reports')]: ['csv', 'json', 'txt'] },
    });
    paths = picked?.map((u) => u.fsPath);
  }
  if (!paths?.length) {
    return [];
  }
  const result = reports.import(paths);
  for (const r of result.filter((x) => x.error)) {
    void vscode.window.showErrorMessage(r.error!);
  }
  const ok = result.filter((x) => !x.error);
  if (ok.length) {
    void vscode.commands.executeCommand('setContext', 'mailOAuth.reportsImported', true);
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Imported {0}. The findings view can now group by mailbox; hover a finding to see what the reports say.',
        ok
          .map((x) =>
            x.kind === 'alias-map'
              ? `${x.file} (alias map)`
              : `${x.file} (${KIND[x.kind!] ?? x.kind}: ${x.rows} row(s)${x.malformed ? `, ${x.malformed} malformed` : ''}${x.hashed ? `, ${x.hashed} concealed names` : ''})`,
          )
          .join(', '),
      ),
    );
  }
  return result;
}

export const GROUP_BY_MAILBOX_COMMAND = 'mailOAuth.groupByMailbox';
export const GROUP_BY_PROTOCOL_COMMAND = 'mailOAuth.groupByProtocol';

/**
 * The commands (import, group by mailbox / protocol) and the editor hover that shows what the reports say
 * about the mailbox of the finding under the pointer.
 */
export function registerReports(
  reports: MailboxReports,
  tree: { setGrouping(g: 'protocol' | 'mailbox'): void },
  findingsOf: (doc: vscode.TextDocument) => readonly {
    mailbox?: string;
    span: { line: number; column: number; endLine: number; endColumn: number };
  }[],
  languages: readonly string[],
): vscode.Disposable[] {
  void vscode.commands.executeCommand('setContext', 'mailOAuth.grouping', 'protocol');
  return [
    vscode.commands.registerCommand(IMPORT_REPORTS_COMMAND, async (files?: string[]) => {
      const result = await importReportsCommand(reports, files);
      if (reports.imported) {
        tree.setGrouping('mailbox');
      }
      return result;
    }),
    vscode.commands.registerCommand(GROUP_BY_MAILBOX_COMMAND, () => tree.setGrouping('mailbox')),
    vscode.commands.registerCommand(GROUP_BY_PROTOCOL_COMMAND, () => tree.setGrouping('protocol')),
    vscode.languages.registerHoverProvider(
      languages.map((language) => ({ language, scheme: 'file' })),
      {
        provideHover(doc, pos) {
          if (!reports.imported) {
            return undefined;
          }
          for (const f of findingsOf(doc)) {
            const range = new vscode.Range(
              f.span.line - 1,
              f.span.column - 1,
              f.span.endLine - 1,
              f.span.endColumn - 1,
            );
            const facts = range.contains(pos) ? reports.factsFor(f.mailbox) : undefined;
            if (facts && f.mailbox) {
              return new vscode.Hover(factsMarkdown(f.mailbox, facts), range);
            }
          }
          return undefined;
        },
      },
    ),
  ];
}
