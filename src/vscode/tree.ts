/** The "Mail Password Logins" view: protocol → file → finding. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding, FindingProtocol } from '../core/model';
import { type EffectiveSeverity, rangeOf } from './diagnostics';
import type { FindingStore } from './store';

export type TreeNode =
  | { kind: 'protocol'; protocol: FindingProtocol; count: number }
  | { kind: 'file'; protocol: FindingProtocol; uri: vscode.Uri; findings: Finding[] }
  | { kind: 'finding'; uri: vscode.Uri; finding: Finding; severity: EffectiveSeverity };

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

  constructor(
    private readonly store: FindingStore,
    private readonly severityOf: (f: Finding, uri: vscode.Uri) => EffectiveSeverity,
  ) {
    this.sub = store.onDidChange(() => this.emitter.fire(undefined));
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
    item.description = vscode.l10n.t('line {0}', f.span.line);
    item.tooltip = new vscode.MarkdownString().appendText(f.message).appendMarkdown(`\n\n\`${f.code}\``);
    item.iconPath = node.severity === 'off' ? undefined : ICON[node.severity];
    item.id = `finding:${node.uri.toString()}:${f.span.start}:${f.code}`;
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
    this.emitter.dispose();
  }
}
