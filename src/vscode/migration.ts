/**
 * The migration commands: plan the fixes in each folder's analyzer worker (with the open editors' text), apply
 * them or open the refactor preview, and tell the user what is left (manual steps, unused password variables).
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Finding } from '../core/model';
import type { PlannerFlow, PlannerTarget } from './analyzer-client';
import type { MigrateRequest, MigrateSummary, ScanRequest, ScanSummary } from './controller';
import { explainMigration } from './codeActions';
import type { PlannedFixes } from './core';
import type { EffectiveSeverity } from './diagnostics';
import type { FolderContext } from './folders';
import { MigrationUnavailableError, openTexts, planMigration } from './migrate';
import type { FindingStore } from './store';

/** What the migration needs from the controller. */
export interface MigrationHost {
  readonly log: vscode.LogOutputChannel;
  readonly store: FindingStore;
  contextFor(uri: vscode.Uri): FolderContext;
  severityOf(f: Finding, uri: vscode.Uri): EffectiveSeverity;
  analyzeDocument(doc: vscode.TextDocument): Promise<unknown>;
  currentFindings(doc: vscode.TextDocument): Promise<Finding[] | undefined>;
  scanWorkspace(req: ScanRequest): Promise<ScanSummary>;
}

export class Migration {
  constructor(private readonly host: MigrationHost) {}

  async migrateFile(
    target: vscode.Uri | { uri?: vscode.Uri } | undefined,
    req: MigrateRequest,
  ): Promise<MigrateSummary> {
    // from the palette (active editor), the explorer (a Uri) or the findings view (a file node)
    const uri =
      target instanceof vscode.Uri
        ? target
        : target?.uri instanceof vscode.Uri
          ? target.uri
          : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Open a JavaScript or TypeScript file to migrate.'),
      );
      return { applied: 0, skipped: 0 };
    }
    let findings: Finding[];
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) {
      await this.host.analyzeDocument(doc);
      findings = (await this.host.currentFindings(doc)) ?? [];
    } else {
      const ctx = this.host.contextFor(uri);
      const analyzer = await ctx.getAnalyzer();
      findings = await analyzer.analyzeText(uri.fsPath, await fs.promises.readFile(uri.fsPath, 'utf8'));
    }
    findings = findings.filter((f) => this.host.severityOf(f, uri) !== 'off');
    if (!findings.length) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('No password mail logins in {0}.', vscode.workspace.asRelativePath(uri)),
      );
      return { applied: 0, skipped: 0 };
    }
    return this.applyMigration(findings, req.preview ?? false);
  }

  async migrateWorkspace(req: MigrateRequest): Promise<MigrateSummary> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => this.host.contextFor(f.uri));
    if (folders.some((c) => !c.scanned)) {
      const s = await this.host.scanWorkspace({});
      if (s.cancelled) {
        return { applied: 0, skipped: 0 };
      }
    }
    const findings = this.host.store
      .entries()
      .flatMap((e) => e.findings.filter((f) => this.host.severityOf(f, e.uri) !== 'off'));
    if (!findings.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No password mail logins to migrate.'));
      return { applied: 0, skipped: 0 };
    }
    let preview = req.preview;
    if (preview === undefined) {
      // VS Code's refactor preview starts every entry unticked; let the user choose.
      const apply = vscode.l10n.t('Apply');
      const review = vscode.l10n.t('Review in Preview');
      const files = new Set(findings.map((f) => f.span.file)).size;
      const pick = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          'Migrate {0} password mail login(s) in {1} file(s) to OAuth2 (XOAUTH2)?',
          findings.length,
          files,
        ),
        {
          modal: true,
          detail: vscode.l10n.t(
            'Apply changes the files now (Undo reverts them). Review in Preview opens the refactor preview: tick the files to change, then Apply.',
          ),
        },
        apply,
        review,
      );
      if (!pick) {
        return { applied: 0, skipped: 0 };
      }
      preview = pick === review;
    }
    return this.applyMigration(findings, preview);
  }

  private async applyMigration(findings: Finding[], preview: boolean): Promise<MigrateSummary> {
    let plan;
    try {
      plan = await planMigration({
        findings,
        authFlowOf: (f) => this.host.contextFor(vscode.Uri.file(f.span.file)).settings.authFlow,
        planner: this.planner,
        preview,
      });
    } catch (e) {
      if (e instanceof MigrationUnavailableError) {
        void explainMigration(e.message, findings[0].code);
        return { applied: 0, skipped: findings.length, unavailable: true };
      }
      void vscode.window.showWarningMessage(e instanceof Error ? e.message : String(e));
      return { applied: 0, skipped: findings.length };
    }
    let applied = 0;
    if (plan.applied.length) {
      const ok = await vscode.workspace.applyEdit(plan.edit, { isRefactoring: preview });
      applied = ok ? plan.applied.length : 0;
    }
    for (const s of plan.skipped) {
      this.host.log.warn(
        `not migrated: ${vscode.workspace.asRelativePath(s.finding.span.file)}:${s.finding.span.line} ${s.finding.code}: ${s.reason}`,
      );
    }
    if (applied || !plan.applied.length) {
      this.afterMigration(plan.manualSteps, plan.unusedEnvVars, plan.skipped.length, applied);
    }
    return { applied, skipped: plan.skipped.length };
  }

  /** After a migration edit: logs what is left to do and says so. */
  afterMigration(manualSteps: string[], unusedEnvVars: string[], skipped: number, applied?: number): void {
    if (manualSteps.length) {
      this.host.log.info(
        `manual steps after the migration:\n${manualSteps.map((m) => `  - ${m}`).join('\n')}`,
      );
    }
    if (unusedEnvVars.length) {
      this.host.log.info(
        `password variables no longer used (remove them from your .env files and secret stores): ${unusedEnvVars.join(', ')}`,
      );
    }
    const parts: string[] = [];
    if (applied !== undefined) {
      parts.push(vscode.l10n.t('Migrated {0} mail login(s) to OAuth2.', applied));
    }
    if (skipped) {
      parts.push(vscode.l10n.t('{0} need manual changes.', skipped));
    }
    if (unusedEnvVars.length) {
      parts.push(vscode.l10n.t('No longer used: {0}.', unusedEnvVars.join(', ')));
    }
    if (!parts.length && !manualSteps.length) {
      return;
    }
    const details = vscode.l10n.t('Show Next Steps');
    void vscode.window
      .showInformationMessage(
        [...parts, manualSteps.length ? vscode.l10n.t('Next: set up the app registration.') : '']
          .join(' ')
          .trim(),
        details,
      )
      .then((c) => {
        if (c === details) {
          this.host.log.show(true);
        }
      });
  }

  /**
   * The core's fix planner, run in the analyzer worker of each finding's folder with the open editors' text;
   * null when the core has none.
   */
  readonly planner = async (
    findings: readonly Finding[],
    authFlow: 'auto' | 'app-only' | 'delegated',
    to: PlannerTarget = 'xoauth2',
  ): Promise<PlannedFixes | null> => {
    const flow: PlannerFlow = authFlow === 'app-only' ? 'app' : authFlow;
    const byCtx = new Map<FolderContext, Finding[]>();
    for (const f of findings) {
      const ctx = this.host.contextFor(vscode.Uri.file(f.span.file));
      byCtx.set(ctx, [...(byCtx.get(ctx) ?? []), f]);
    }
    const texts = openTexts();
    const out: PlannedFixes = { edits: [], fixed: [], notFixed: [], manualSteps: [], unusedEnvVars: [] };
    for (const [ctx, list] of byCtx) {
      const plan = await (await ctx.getAnalyzer()).planFixes(list, flow, texts, to);
      if (!plan) {
        return null;
      }
      out.edits.push(...plan.edits);
      out.fixed.push(...(plan.fixed ?? list));
      out.notFixed.push(...(plan.notFixed ?? []));
      out.manualSteps.push(...(plan.manualSteps ?? []).filter((m) => !out.manualSteps.includes(m)));
      out.unusedEnvVars.push(...(plan.unusedEnvVars ?? []).filter((v) => !out.unusedEnvVars.includes(v)));
    }
    return out;
  };
}
