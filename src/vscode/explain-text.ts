/**
 * "Explain an Error Message or Token": explains the selected text, or else the clipboard, offline with
 * the table the CLI's `explain` and `verify` use (src/core/explain). Nothing is sent anywhere, and a
 * token is never shown back.
 */
import * as vscode from 'vscode';
import type * as ExplainModule from '../core/explain/cli';
import type { PastedExplanation } from '../core/explain';
import { requireBundle } from './bundles';

export const EXPLAIN_TEXT_COMMAND = 'mailOAuth.explainText';

/** The text to explain: the selection, else the clipboard, else what the user types. */
async function textToExplain(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor?.selections
    .map((s) => editor.document.getText(s))
    .join('\n')
    .trim();
  if (selected) {
    return selected;
  }
  const clip = (await vscode.env.clipboard.readText()).trim();
  if (clip) {
    return clip;
  }
  return vscode.window.showInputBox({
    prompt: vscode.l10n.t('Paste an SMTP/IMAP/POP reply, an AADSTS or Graph error, or an access token'),
    ignoreFocusOut: true,
  });
}

/**
 * Command handler. `text` lets tests (and other commands) pass the text; returns the explanation, or
 * undefined when the text was not recognised.
 */
export async function explainTextCommand(text?: string): Promise<PastedExplanation | undefined> {
  const input = typeof text === 'string' ? text : await textToExplain();
  if (!input?.trim()) {
    return undefined;
  }
  const x = requireBundle<typeof ExplainModule>('cli-explain', '../core/explain/cli').explainText(input);
  if (!x) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Not recognised: select or copy an SMTP/IMAP/POP reply (e.g. "535 5.7.139 …"), an AADSTS error, a Graph error body, a connection error code, or an access token.',
      ),
    );
    return undefined;
  }
  const copy = vscode.l10n.t('Copy Remedy');
  // Interactive use gets a modal dialog (the remedy is long); a text passed by a caller, a notification.
  const interactive = typeof text !== 'string';
  void vscode.window
    .showInformationMessage(
      interactive ? x.detail : `${x.detail}: ${x.remedy}`,
      { modal: interactive, detail: interactive ? [...x.facts, '', x.remedy].join('\n') : undefined },
      copy,
    )
    .then((choice) => (choice === copy ? vscode.env.clipboard.writeText(x.remedy) : undefined));
  return x;
}
