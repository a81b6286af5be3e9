/** Finding → vscode.Diagnostic (severity overrides, rule docs link, related locations, Deprecated tag). */
import * as vscode from 'vscode';
import type { Finding, SourceSpan } from '../core/model';
import { helpUri } from './core';
import type { SeverityOverride } from './settings';

export const DIAGNOSTIC_SOURCE = 'mail-oauth';

export function rangeOf(span: Pick<SourceSpan, 'line' | 'column' | 'endLine' | 'endColumn'>): vscode.Range {
  return new vscode.Range(
    Math.max(0, span.line - 1),
    Math.max(0, span.column - 1),
    Math.max(0, span.endLine - 1),
    Math.max(0, span.endColumn - 1),
  );
}

export type EffectiveSeverity = 'error' | 'warning' | 'info' | 'hint' | 'off';

export function effectiveSeverity(
  f: Finding,
  overrides: Record<string, SeverityOverride>,
): EffectiveSeverity {
  return overrides[f.code] ?? f.severity;
}

const TO_VSCODE: Record<Exclude<EffectiveSeverity, 'off'>, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function codeOf(code: string): { value: string; target: vscode.Uri } {
  return { value: code, target: vscode.Uri.parse(helpUri(code)) };
}

/** An information diagnostic on the first line of a file the analyzer skipped, with the reason. */
export function notAnalysedDiagnostic(reason: string): vscode.Diagnostic {
  const d = new vscode.Diagnostic(
    new vscode.Range(0, 0, 0, 0),
    vscode.l10n.t('Mail OAuth Migrator did not analyse this file: {0}.', reason),
    vscode.DiagnosticSeverity.Information,
  );
  d.source = DIAGNOSTIC_SOURCE;
  d.code = 'not-analysed';
  return d;
}

/**
 * One diagnostic per finding on the call that opens the connection, plus one Hint diagnostic tagged
 * Deprecated on the password property when it is in the same file (the editor strikes it through).
 */
export function toDiagnostics(
  findings: readonly Finding[],
  overrides: Record<string, SeverityOverride>,
): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  const tagged = new Set<string>();
  for (const f of findings) {
    const sev = effectiveSeverity(f, overrides);
    if (sev === 'off') {
      continue;
    }
    const d = new vscode.Diagnostic(rangeOf(f.span), f.message, TO_VSCODE[sev]);
    d.source = DIAGNOSTIC_SOURCE;
    d.code = codeOf(f.code);
    d.relatedInformation = f.related.map(
      (r) =>
        new vscode.DiagnosticRelatedInformation(
          new vscode.Location(vscode.Uri.file(r.file), rangeOf(r)),
          r.message,
        ),
    );
    out.push(d);
    for (const r of f.related) {
      if (r.role !== 'password' || r.file !== f.span.file || r.start === r.end) {
        continue;
      }
      const key = `${r.start}:${r.end}`;
      if (tagged.has(key)) {
        continue;
      }
      tagged.add(key);
      const h = new vscode.Diagnostic(
        rangeOf(r),
        vscode.l10n.t(
          'Password login is deprecated for {0}: replace it with an OAuth2 access token (XOAUTH2).',
          f.host ?? f.library,
        ),
        vscode.DiagnosticSeverity.Hint,
      );
      h.source = DIAGNOSTIC_SOURCE;
      h.code = codeOf(f.code);
      h.tags = [vscode.DiagnosticTag.Deprecated];
      out.push(h);
    }
  }
  return out;
}
