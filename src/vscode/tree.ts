/**
 * The "Mail Password Logins" view: protocol → file → finding, or, once mailbox reports are imported,
 * mailbox → finding (src/vscode/reports.ts).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding, FindingProtocol } from '../core/model';
import { type EffectiveSeverity, rangeOf } from './diagnostics';
import { factsMarkdown, type MailboxFacts, type MailboxReports } from './reports';
import type { FindingStore } from './store';

export type TreeNode =
  | { kind: 'protocol'; protocol: FindingProtocol; count: number }
  | { kind: 'file'; protocol: FindingProtocol; uri: vscode.Uri; findings: Finding[] }
  | { kind: 'mailbox'; key: string | undefined; facts?: MailboxFacts; items: Shown[] }
  /** `flat`: listed under a mailbox, so the label carries the file. */
  | { kind: 'finding'; uri: vscode.Uri; finding: Finding; severity: EffectiveSeverity; flat?: boolean };

export type Grouping = 'protocol' | 'mailbox';
type Shown = { uri: vscode.Uri; finding: Finding; severity: EffectiveSeverity };
const AUTH_ORDER = { basic: 0, unknown: 1, oauth: 2 } as const;

const PROTOCOLS: FindingProtocol[] = ['smtp', 'imap', 'pop3', 'ews'];
const PROTOCOL_LABEL: Record<FindingProtocol, string> = { smtp: 'SMTP AUTH', imap: 'IMAP', pop3: 'POP3', ews: 'EWS' };
const ICON: Record<Exclude<EffectiveSeverity, 'off'>, vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
  hint: new vscode.ThemeIcon('lightbulb'),
};

export class FindingsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private readonly reportsSub: vscode.Disposable | undefined;
  grouping: Grouping = 'protocol';

  constructor(
    private readonly store: FindingStore,
    private readonly severityOf: (f: Finding, uri: vscode.Uri) => EffectiveSeverity,
    private readonly reports?: MailboxReports,
  ) {
    this.sub = store.onDidChange(() => this.emitter.fire(undefined));
    this.reportsSub = reports?.onDidChange(() => this.emitter.fire(undefined));
  }

  setGrouping(g: Grouping): void {
    this.grouping = g;
    void vscode.commands.executeCommand('setContext', 'mailOAuth.grouping', g);
    this.emitter.fire(undefined);
  }

  /** Mailbox groups: mailboxes the reports show on Basic auth first, then unknown, OAuth, and unresolved users. */
  private mailboxGroups(all: Shown[]): TreeNode[] {
    const groups = new Map<string | undefined, Shown[]>();
    for (const x of all) {
      const key = x.finding.mailbox
        ? (this.reports?.key(x.finding.mailbox) ?? x.finding.mailbox.toLowerCase())
        : undefined;
      groups.set(key, [...(groups.get(key) ?? []), x]);
    }
    const rank = (n: { key: string | undefined; facts?: MailboxFacts }): number =>
      n.key === undefined ? 9 : n.facts ? AUTH_ORDER[n.facts.auth] : 5;
    return [...groups.entries()]
      .map(([key, items]) => ({ kind: 'mailbox' as const, key, facts: this.reports?.factsFor(key), items }))
      .sort((a, b) => rank(a) - rank(b) || (a.key ?? '').localeCompare(b.key ?? ''));
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Findings shown (severity not 'off'), per file. */
  visible(): { uri: vscode.Uri; finding: Finding; severity: EffectiveSeverity }[] {
    const out: { uri: vscode.Uri; finding: Finding; severity: EffectiveSeverity }[] = [];
    for (const e of this.store.entries()) {
      for (const f of e.findings) {
        const severity = this.severityOf(f, e.uri);
        if (severity !== 'off') {
          out.push({ uri: e.uri, finding: f, severity });
        }
      }
    }
    return out;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const all = this.visible();
    if (!node && this.grouping === 'mailbox') {
      return this.mailboxGroups(all);
    }
    if (node?.kind === 'mailbox') {
      return node.items.map((x) => ({ kind: 'finding' as const, ...x, flat: true }));
    }
    if (!node) {
      return PROTOCOLS.map((p) => ({
        kind: 'protocol' as const,
        protocol: p,
        count: all.filter((x) => x.finding.protocol === p).length,
      })).filter((n) => n.count > 0);
    }
    if (node.kind === 'protocol') {
      const byFile = new Map<string, { uri: vscode.Uri; findings: Finding[] }>();
      for (const x of all.filter((y) => y.finding.protocol === node.protocol)) {
        const k = x.uri.toString();
        const e = byFile.get(k) ?? { uri: x.uri, findings: [] };
        e.findings.push(x.finding);
        byFile.set(k, e);
      }
      return [...byFile.values()]
        .sort((a, b) =>
          vscode.workspace.asRelativePath(a.uri).localeCompare(vscode.workspace.asRelativePath(b.uri)),
        )
        .map((e) => ({
          kind: 'file' as const,
          protocol: node.protocol,
          uri: e.uri,
          findings: e.findings.sort((a, b) => a.span.start - b.span.start),
        }));
    }
    if (node.kind === 'file') {
      return node.findings.map((finding) => ({
        kind: 'finding' as const,
        uri: node.uri,
        finding,
        severity: this.severityOf(finding, node.uri),
      }));
    }
    return [];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'mailbox') {
      const item = new vscode.TreeItem(
        node.key ?? vscode.l10n.t('Mailbox not resolved statically'),
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.description = `${node.items.length}${node.facts ? ` · ${node.facts.auth} · ${node.facts.protocols.join(', ')}` : node.key ? ` · ${vscode.l10n.t('not in the reports')}` : ''}`;
      item.tooltip = node.key && node.facts ? factsMarkdown(node.key, node.facts) : undefined;
      item.iconPath = new vscode.ThemeIcon(node.key ? 'account' : 'question');
      item.id = `mailbox:${node.key ?? ''}`;
      item.contextValue = 'mailOAuth.mailbox';
      return item;
    }
    if (node.kind === 'protocol') {
      const item = new vscode.TreeItem(
        PROTOCOL_LABEL[node.protocol],
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.description = String(node.count);
      item.iconPath = new vscode.ThemeIcon(node.protocol === 'smtp' ? 'mail' : 'inbox');
      item.id = `protocol:${node.protocol}`;
      item.contextValue = 'mailOAuth.protocol';
      return item;
    }
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.uri, vscode.TreeItemCollapsibleState.Expanded);
      const rel = vscode.workspace.asRelativePath(node.uri);
      const dir = path.dirname(rel);
      item.description =
        `${dir === '.' ? '' : dir}  ${node.findings.length > 1 ? `(${node.findings.length})` : ''}`.trim();
      item.id = `file:${node.protocol}:${node.uri.toString()}`;
      item.contextValue = 'mailOAuth.file';
      return item;
    }
    const f = node.finding;
    const item = new vscode.TreeItem(
      `${f.library} → ${f.host ?? vscode.l10n.t('unresolved host')}`,
      vscode.TreeItemCollapsibleState.None,
    );
    item.description = node.flat
      ? `${vscode.workspace.asRelativePath(node.uri)}:${f.span.line}`
      : vscode.l10n.t('line {0}', f.span.line);
    const tooltip = new vscode.MarkdownString().appendText(f.message).appendMarkdown(`\n\n\`${f.code}\``);
    const facts = this.reports?.factsFor(f.mailbox);
    if (f.mailbox && facts) {
      tooltip.appendMarkdown('\n\n').appendMarkdown(factsMarkdown(f.mailbox, facts).value);
    }
    item.tooltip = tooltip;
    item.iconPath = node.severity === 'off' ? undefined : ICON[node.severity];
    item.id = `finding:${node.flat ? 'm:' : ''}${node.uri.toString()}:${f.span.start}:${f.code}`;
    item.contextValue = f.fixable ? 'mailOAuth.finding.fixable' : 'mailOAuth.finding';
    item.command = {
      command: 'vscode.open',
      title: vscode.l10n.t('Open'),
      arguments: [
        node.uri,
        { selection: rangeOf(f.span), preserveFocus: false } satisfies vscode.TextDocumentShowOptions,
      ],
    };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.reportsSub?.dispose();
    this.emitter.dispose();
  }
}
