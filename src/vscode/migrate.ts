/**
 * Turns the core fix planner's FileEdits into a WorkspaceEdit. The planner runs in the analyzer worker
 * (`MigrationRequest.planner`, see Migration.planner); when the core has none, callers fall back to the
 * migration guide.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { FileEdit, Finding, TextChange } from '../core/model';
import type { PlannedFixes } from './core';
import type { AuthFlow } from './settings';

export class StaleFixError extends Error {
  constructor(readonly file: string) {
    super(
      vscode.l10n.t(
        '{0} changed since the fix was computed; run the fix again.',
        vscode.workspace.asRelativePath(file),
      ),
    );
  }
}

export class MigrationUnavailableError extends Error {
  constructor() {
    super(
      vscode.l10n.t(
        'Automatic migration is not available in this version of Mail OAuth Migrator yet; follow the migration guide.',
      ),
    );
  }
}

export interface PlannedMigration {
  edit: vscode.WorkspaceEdit;
  /** Findings whose changes are in `edit`. */
  applied: Finding[];
  /** Findings without an automatic fix (manual guide), or that the planner could not rewrite. */
  skipped: { finding: Finding; reason: string }[];
  /** What is left to do by hand (Entra app, permissions, service principal...). */
  manualSteps: string[];
  /** Password variables nothing uses any more after the fix. */
  unusedEnvVars: string[];
}

export interface MigrationRequest {
  findings: readonly Finding[];
  authFlowOf: (f: Finding) => AuthFlow;
  /** The core's planner (in the analyzer worker); null when the core has none. */
  planner: (findings: readonly Finding[], authFlow: AuthFlow) => Promise<PlannedFixes | null>;
  /** Ask for confirmation (refactor preview) before applying. */
  preview?: boolean;
}

/** The text of every open file document, to plan fixes against the editors' content. */
export function openTexts(): [string, string][] {
  return vscode.workspace.textDocuments
    .filter((d) => d.uri.scheme === 'file' && !d.isClosed)
    .map((d) => [d.uri.fsPath, d.getText()]);
}

/** Plans the fixes of `findings` with the core planner (in the analyzer worker) as one WorkspaceEdit. */
export async function planMigration(req: MigrationRequest): Promise<PlannedMigration> {
  const out: Omit<PlannedMigration, 'edit'> = {
    applied: [],
    skipped: [],
    manualSteps: [],
    unusedEnvVars: [],
  };
  const byFlow = new Map<AuthFlow, Finding[]>();
  for (const f of req.findings) {
    const flow = req.authFlowOf(f);
    byFlow.set(flow, [...(byFlow.get(flow) ?? []), f]);
  }
  const edits: FileEdit[] = [];
  for (const [authFlow, findings] of byFlow) {
    const plan = await req.planner(findings, authFlow);
    if (!plan) {
      throw new MigrationUnavailableError();
    }
    edits.push(...plan.edits);
    out.applied.push(...plan.fixed);
    out.skipped.push(...plan.notFixed);
    out.manualSteps.push(...plan.manualSteps.filter((m) => !out.manualSteps.includes(m)));
    out.unusedEnvVars.push(...plan.unusedEnvVars.filter((v) => !out.unusedEnvVars.includes(v)));
  }
  const edit = await toWorkspaceEdit(mergeFileEdits(edits), req.preview ?? false);
  return { edit, ...out };
}

/** One FileEdit per file: identical changes once; overlapping different changes are an error. */
export function mergeFileEdits(edits: readonly FileEdit[]): FileEdit[] {
  const byFile = new Map<string, FileEdit>();
  for (const fe of edits) {
    const prev = byFile.get(fe.file);
    if (!prev) {
      byFile.set(fe.file, { ...fe, changes: [...fe.changes] });
      continue;
    }
    if (fe.create || prev.create) {
      if (fe.create && prev.create && fe.changes[0]?.newText === prev.changes[0]?.newText) {
        continue;
      }
      throw new Error(
        vscode.l10n.t(
          'Conflicting changes for {0}; migrate the findings one at a time.',
          vscode.workspace.asRelativePath(fe.file),
        ),
      );
    }
    for (const c of fe.changes) {
      if (prev.changes.some((p) => sameChange(c, p))) {
        continue;
      }
      if (prev.changes.some((p) => overlaps(c, p))) {
        throw new Error(
          vscode.l10n.t(
            'Conflicting changes for {0}; migrate the findings one at a time.',
            vscode.workspace.asRelativePath(fe.file),
          ),
        );
      }
      prev.changes.push(c);
    }
  }
  return [...byFile.values()];
}

function sameChange(a: TextChange, b: TextChange): boolean {
  return a.start === b.start && a.end === b.end && a.newText === b.newText;
}

function overlaps(a: TextChange, b: TextChange): boolean {
  if (a.start === a.end && b.start === b.end) {
    return a.start === b.start;
  }
  return a.start < b.end && b.start < a.end;
}

/** FileEdits (offsets against `expectedText`) → WorkspaceEdit; refuses files that changed since planning. */
export async function toWorkspaceEdit(
  fileEdits: readonly FileEdit[],
  preview: boolean,
): Promise<vscode.WorkspaceEdit> {
  const edit = new vscode.WorkspaceEdit();
  const meta = (file: string): vscode.WorkspaceEditEntryMetadata | undefined =>
    preview
      ? {
          needsConfirmation: true,
          label: vscode.l10n.t('Migrate to OAuth2 (XOAUTH2)'),
          description: vscode.workspace.asRelativePath(file),
        }
      : undefined;
  for (const fe of fileEdits) {
    const uri = vscode.Uri.file(fe.file);
    if (fe.create) {
      if (fs.existsSync(fe.file)) {
        throw new Error(
          vscode.l10n.t(
            'The fix would create {0}, which exists already.',
            vscode.workspace.asRelativePath(fe.file),
          ),
        );
      }
      // createFile + insert rather than `contents`: file contents do not survive the trip of a resolved code
      // action's edit through the workbench ("Could not revive data transfer file")
      const m = meta(fe.file);
      edit.createFile(uri, { overwrite: false, ignoreIfExists: false }, m);
      if (m) {
        edit.insert(uri, new vscode.Position(0, 0), fe.changes[0]?.newText ?? '', m);
      } else {
        edit.insert(uri, new vscode.Position(0, 0), fe.changes[0]?.newText ?? '');
      }
      continue;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    if (fe.expectedText !== undefined && doc.getText() !== fe.expectedText) {
      throw new StaleFixError(fe.file);
    }
    const changes = [...fe.changes].sort((a, b) => a.start - b.start || a.end - b.end);
    for (const c of changes) {
      const range = new vscode.Range(doc.positionAt(c.start), doc.positionAt(c.end));
      const m = meta(fe.file);
      if (m) {
        edit.replace(uri, range, c.newText, m);
      } else {
        edit.replace(uri, range, c.newText);
      }
    }
  }
  return edit;
}
