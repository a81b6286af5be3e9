/** Shared helpers of the integration tests (they run inside the VS Code extension host). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailOAuthApi } from '../../../src/extension';

export const EXTENSION_ID = 'mail-oauth-migrator.mail-oauth-migrator';
export const SOURCE = 'mail-oauth';

export function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder must be open');
  return f;
}

export function wsUri(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(folder().uri, ...rel.split('/'));
}

export async function api(): Promise<MailOAuthApi> {
  const ext = vscode.extensions.getExtension<MailOAuthApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
  return ext.isActive ? ext.exports : await ext.activate();
}

export async function open(rel: string, show = true): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(wsUri(rel));
  if (show) {
    await vscode.window.showTextDocument(doc, { preview: false });
  }
  return doc;
}

/** The extension's main diagnostics of a file (without the Deprecated hints on password properties). */
export function mailDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === SOURCE && d.severity !== vscode.DiagnosticSeverity.Hint);
}

export function hintDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === SOURCE && d.severity === vscode.DiagnosticSeverity.Hint);
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return typeof c === 'object' ? String(c.value) : c === undefined ? undefined : String(c);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (diagnostics are published asynchronously). */
export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) {
        return v;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await sleep(50);
  }
}

export async function waitForDiagnostics(
  uri: vscode.Uri,
  pred: (d: vscode.Diagnostic[]) => boolean,
  what: string,
): Promise<vscode.Diagnostic[]> {
  return waitFor(() => {
    const d = mailDiagnostics(uri);
    return pred(d) ? d : undefined;
  }, what);
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace
    .getConfiguration('mailOAuth', folder().uri)
    .update(key, value, vscode.ConfigurationTarget.Workspace);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Lines the bench/report parser reads: `BENCH name=value unit`. */
export function report(name: string, value: number, unit: string): void {
  console.log(`    BENCH ${name}=${value.toFixed(1)} ${unit}`);
}
