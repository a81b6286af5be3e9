/**
 * Code actions on findings: the migration quick fix (planned lazily in resolveCodeAction), "Ignore this
 * config" (a `// mail-oauth-ignore` line above) and "Learn more", plus the source action
 * `source.mailOAuth.migrateFile`. Never contributes to `source.fixAll`. Actions are only served for the
 * findings of the document's current version.
 */
import * as vscode from 'vscode';
import type { Finding } from '../core/model';
import { type PlannedFixes, helpUri, isFixable, plannerAvailable } from './core';
import { DIAGNOSTIC_SOURCE, rangeOf } from './diagnostics';
import { MigrationUnavailableError, planMigration } from './migrate';
import type { AuthFlow } from './settings';

export const MIGRATE_FILE_KIND = vscode.CodeActionKind.Source.append('mailOAuth').append('migrateFile');
export const SUPPRESS_COMMENT = '// mail-oauth-ignore';
/** Libraries whose send-only code can move to Microsoft Graph sendMail (core: fixes/planners.ts GRAPH_FIXES). */
const GRAPH_LIBRARIES: ReadonlySet<string> = new Set(['nodemailer', 'nodemailer-smtp-transport', 'ews-javascript-api']);
/** Frameworks whose call is replaced rather than their options (core: FRAMEWORK_FIXES): XOAUTH2 only. */
const XOAUTH2_ONLY_FRAMEWORKS: ReadonlySet<string> = new Set(['nodejs-nodemailer-outlook']);
/** Internal command: explains why no edit is attached (no planner yet, stale document, planner error). */
export const EXPLAIN_COMMAND = 'mailOAuth.explainMigration';
/** Internal command run after a migration edit: lists the manual steps that remain. */
export const AFTER_MIGRATION_COMMAND = 'mailOAuth.afterMigration';

export interface ActionHost {
  /** Findings of the document's current version, or undefined when none can be served right now. */
  currentFindings(doc: vscode.TextDocument): Promise<Finding[] | undefined>;
  isOff(f: Finding, uri: vscode.Uri): boolean;
  authFlowOf(f: Finding): AuthFlow;
  /** The core's fix planner (run in the analyzer worker); null when the core has none. */
  planner(findings: readonly Finding[], authFlow: AuthFlow, to?: 'xoauth2' | 'graph'): Promise<PlannedFixes | null>;
}

class MigrateAction extends vscode.CodeAction {
  constructor(
    title: string,
    kind: vscode.CodeActionKind,
    readonly uri: vscode.Uri,
    readonly version: number,
    readonly findings: Finding[],
    /** XOAUTH2 on the same protocol, or Microsoft Graph sendMail (send-only nodemailer code). */
    readonly to: 'xoauth2' | 'graph' = 'xoauth2',
  ) {
    super(title, kind);
  }
}

export class MailCodeActionProvider implements vscode.CodeActionProvider<vscode.CodeAction> {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, MIGRATE_FILE_KIND],
    documentation: [
      {
        kind: MIGRATE_FILE_KIND,
        command: {
          command: 'vscode.open',
          title: 'Mail OAuth Migrator',
          arguments: [vscode.Uri.parse('https://github.com/mail-oauth-migrator/mail-oauth-migrator#readme')],
        },
      },
    ],
  };

  constructor(private readonly host: ActionHost) {}

  async provideCodeActions(
    doc: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    const wantQuickFix = !context.only || context.only.contains(vscode.CodeActionKind.QuickFix);
    const wantSource = !!context.only && context.only.contains(MIGRATE_FILE_KIND);
    if (!wantQuickFix && !wantSource) {
      return [];
    }
    const version = doc.version;
    const all = await this.host.currentFindings(doc);
    if (!all?.length || doc.version !== version) {
      return [];
    }
    const findings = all.filter((f) => !this.host.isOff(f, doc.uri));
    const actions: vscode.CodeAction[] = [];
    const planner = plannerAvailable();
    if (wantQuickFix) {
      for (const f of findings) {
        const fr = rangeOf(f.span);
        if (
          !fr.intersection(range) &&
          !(range.start.line >= fr.start.line && range.start.line <= fr.end.line)
        ) {
          continue;
        }
        const diagnostics = context.diagnostics.filter(
          (d) =>
            d.source === DIAGNOSTIC_SOURCE &&
            (typeof d.code === 'object' ? d.code.value : d.code) === f.code &&
            d.range.start.line === fr.start.line &&
            d.severity !== vscode.DiagnosticSeverity.Hint,
        );
        // EWS has no XOAUTH2: its only fix is the move to Microsoft Graph
        const graphOnly = f.protocol === 'ews';
        if ((!planner || isFixable(f)) && !graphOnly) {
          const a = new MigrateAction(
            planner
              ? vscode.l10n.t('Migrate to OAuth2 (XOAUTH2) with MSAL')
              : vscode.l10n.t('Migrate to OAuth2 (XOAUTH2)…'),
            vscode.CodeActionKind.QuickFix,
            doc.uri,
            version,
            [f],
          );
          a.diagnostics = diagnostics;
          a.isPreferred = !!planner;
          actions.push(a);
        }
        if (
          planner &&
          isFixable(f) &&
          GRAPH_LIBRARIES.has(f.library) &&
          !XOAUTH2_ONLY_FRAMEWORKS.has(f.fix.framework ?? '')
        ) {
          // resolved lazily like the XOAUTH2 fix: code that needs SMTP (verify(), the pool) gets the reason instead
          const g = new MigrateAction(
            vscode.l10n.t('Migrate to Microsoft Graph (sendMail)'),
            vscode.CodeActionKind.QuickFix,
            doc.uri,
            version,
            [f],
            'graph',
          );
          g.diagnostics = diagnostics;
          g.isPreferred = graphOnly;
          actions.push(g);
        }
        const ignore = new vscode.CodeAction(
          vscode.l10n.t('Ignore this config (add a mail-oauth-ignore comment)'),
          vscode.CodeActionKind.QuickFix,
        );
        ignore.edit = suppressionEdit(doc, fr.start.line);
        ignore.diagnostics = diagnostics;
        actions.push(ignore);
        const learn = new vscode.CodeAction(
          vscode.l10n.t('Learn more about {0}', f.code),
          vscode.CodeActionKind.QuickFix,
        );
        learn.command = {
          command: 'vscode.open',
          title: learn.title,
          arguments: [vscode.Uri.parse(helpUri(f.code))],
        };
        learn.diagnostics = diagnostics;
        actions.push(learn);
      }
    }
    if (wantSource) {
      const fixable = planner ? findings.filter((f) => isFixable(f)) : findings;
      if (fixable.length) {
        actions.push(
          new MigrateAction(
            vscode.l10n.t('Migrate all mail logins in this file to OAuth2'),
            MIGRATE_FILE_KIND,
            doc.uri,
            version,
            fixable,
          ),
        );
      }
    }
    return actions;
  }

  async resolveCodeAction(action: vscode.CodeAction): Promise<vscode.CodeAction> {
    if (!(action instanceof MigrateAction)) {
      return action;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === action.uri.toString());
    if (!doc || doc.version !== action.version) {
      action.command = explain(
        vscode.l10n.t('The file changed after the quick fix was offered; open the quick fixes again.'),
      );
      return action;
    }
    try {
      const plan = await planMigration({
        findings: action.findings,
        authFlowOf: (f) => this.host.authFlowOf(f),
        planner: (fs, flow) => this.host.planner(fs, flow, action.to),
      });
      if (doc.version !== action.version) {
        action.command = explain(
          vscode.l10n.t('The file changed after the quick fix was offered; open the quick fixes again.'),
        );
      } else if (!plan.applied.length) {
        action.command = explain(
          plan.skipped.map((s) => s.reason).join('\n') || vscode.l10n.t('Nothing to migrate.'),
          action.findings[0]?.code,
        );
      } else {
        action.edit = plan.edit;
        if (plan.manualSteps.length || plan.unusedEnvVars.length || plan.skipped.length) {
          action.command = {
            command: AFTER_MIGRATION_COMMAND,
            title: action.title,
            arguments: [plan.manualSteps, plan.unusedEnvVars, plan.skipped.length],
          };
        }
      }
    } catch (e) {
      const unavailable = e instanceof MigrationUnavailableError;
      action.command = explain(
        e instanceof Error ? e.message : String(e),
        unavailable ? action.findings[0]?.code : undefined,
      );
    }
    return action;
  }
}

function explain(message: string, code?: string): vscode.Command {
  return {
    command: EXPLAIN_COMMAND,
    title: vscode.l10n.t('Mail OAuth migration'),
    arguments: [message, code],
  };
}

/** Inserts `// mail-oauth-ignore` as a line of its own above `line`, with that line's indentation. */
export function suppressionEdit(doc: vscode.TextDocument, line: number): vscode.WorkspaceEdit {
  const text = doc.lineAt(line).text;
  const indent = /^\s*/.exec(text)?.[0] ?? '';
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, new vscode.Position(line, 0), `${indent}${SUPPRESS_COMMENT}${eol}`);
  return edit;
}

/** Handler of EXPLAIN_COMMAND: shows the reason, with a button to the rule docs when a code is given. */
export async function explainMigration(message: string, code?: string): Promise<void> {
  const guide = vscode.l10n.t('Open Migration Guide');
  const choice = code
    ? await vscode.window.showInformationMessage(message, guide)
    : await vscode.window.showWarningMessage(message);
  if (choice === guide && code) {
    await vscode.env.openExternal(vscode.Uri.parse(helpUri(code)));
  }
}
