/**
 * The findings' summary outside the tree: the view's badge and the status bar item (count, errors, a spinner
 * while a workspace scan runs).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FindingsTreeProvider, TreeNode } from './tree';

export class FindingsStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(
    private readonly tree: FindingsTreeProvider,
    private readonly view: vscode.TreeView<TreeNode>,
  ) {
    this.item = vscode.window.createStatusBarItem('mailOAuth.status', vscode.StatusBarAlignment.Left, 20);
    this.item.name = vscode.l10n.t('Mail OAuth Migrator');
    this.item.command = 'mailOAuth.showFindings';
  }

  /** Shows the visible findings' count; a spinner while `scanning`; hidden before any result. */
  update(scanning: boolean, scannedBefore: boolean): void {
    const visible = this.tree.visible();
    const count = visible.length;
    const errors = visible.filter((v) => v.severity === 'error').length;
    this.view.badge = count
      ? { value: count, tooltip: vscode.l10n.t('{0} password mail login(s)', count) }
      : undefined;
    const item = this.item;
    if (scanning) {
      item.text = `$(sync~spin) ${vscode.l10n.t('Mail OAuth')}`;
      item.tooltip = vscode.l10n.t('Scanning for password mail logins…');
      item.show();
      return;
    }
    if (!count && !scannedBefore) {
      item.hide();
      return;
    }
    item.text = count ? `$(mail) ${count}` : `$(check) ${vscode.l10n.t('Mail OAuth')}`;
    item.tooltip = count
      ? vscode.l10n.t(
          '{0} password login(s) to Exchange Online / Outlook.com ({1} error(s)). Click to show them.',
          count,
          errors,
        )
      : vscode.l10n.t('No password logins to Exchange Online / Outlook.com found.');
    item.backgroundColor = errors ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  }

  get text(): string | undefined {
    return this.item.text;
  }

  /** The findings view as text: `SMTP AUTH (2)` → `src/a.js` → `nodemailer → smtp.office365.com · line 5`. */
  treeSnapshot(): string[] {
    const out: string[] = [];
    const walk = (node: TreeNode | undefined, depth: number): void => {
      for (const child of this.tree.getChildren(node)) {
        const item = this.tree.getTreeItem(child);
        const label =
          typeof item.label === 'string'
            ? item.label
            : (item.label?.label ?? (item.resourceUri ? path.basename(item.resourceUri.fsPath) : ''));
        out.push(`${'  '.repeat(depth)}${label}${item.description ? ` · ${String(item.description)}` : ''}`);
        walk(child, depth + 1);
      }
    };
    walk(undefined, 0);
    return out;
  }

  dispose(): void {
    this.item.dispose();
  }
}
