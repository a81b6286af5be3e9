/**
 * Wires documents, settings, file watchers and the workspace scan to the warm analyzers, and publishes
 * the results (DiagnosticCollection, findings tree, status bar).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanProgress } from '../core/analyzer';
import type { Finding } from '../core/model';
import type { AnalyzerProxy } from './analyzer-client';
import {
  AFTER_MIGRATION_COMMAND,
  EXPLAIN_COMMAND,
  MailCodeActionProvider,
  explainMigration,
} from './codeActions';
import { coreLoadMs, helpUri, isCoreLoaded, plannerAvailable } from './core';
import { type EffectiveSeverity, effectiveSeverity } from './diagnostics';
import { EXPLAIN_TEXT_COMMAND, explainTextCommand } from './explain-text';
import { FolderContext } from './folders';
import { MailboxReports, registerReports } from './reports';
import { LANGUAGES } from './prefilter';
import { SECTION } from './settings';
import { type SetupArgs, type SetupHost, type VerifyArgs, forgetClientSecret, showSetup, verifySetup } from './setup';
import { FindingStore } from './store';
import { DocumentAnalysis } from './documents';
import { FindingsStatus } from './status';
import { Migration } from './migration';
import { WorkspaceScan } from './workspace-scan';
import { FindingsTreeProvider, type TreeNode } from './tree';

export const VIEW_ID = 'mailOAuth.findings';
const WALKTHROUGH = 'mail-oauth-migrator.mail-oauth-migrator#mailOAuth.migrate';
const SOURCE_GLOB = '**/*.{js,cjs,mjs,jsx,ts,cts,mts,tsx}';
const CHANGE_DEBOUNCE_MS = 300;
const OPEN_DEBOUNCE_MS = 10;
const REFRESH_DEBOUNCE_MS = 800;

export interface ScanRequest {
  /** Extra cancellation (tests, API); the notification's Cancel button works too. */
  token?: vscode.CancellationToken;
  /** Status bar progress instead of a cancellable notification, and no result message. */
  silent?: boolean;
  /** Called with every progress report of the core. */
  onProgress?: (p: ScanProgress & { folder: string }) => void;
}

export interface ScanSummary {
  cancelled: boolean;
  /** Findings (severity not off) in the scanned folders after the scan. */
  findings: number;
  /** Files with findings. */
  files: number;
  /** Source files seen / parsed by the core. */
  scannedFiles: number;
  parsedFiles: number;
  skipped: number;
  durationMs: number;
}

export interface MigrateRequest {
  /** Show the refactor preview (default true for the workspace, false for a file). */
  preview?: boolean;
}

export interface MigrateSummary {
  applied: number;
  skipped: number;
  unavailable?: boolean;
}

export class Controller implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly collection: vscode.DiagnosticCollection;
  readonly store = new FindingStore();
  /** Admins' mailbox reports, imported by the user (memory only). */
  readonly reports = new MailboxReports();
  readonly tree: FindingsTreeProvider;
  private readonly folders = new Map<string, FolderContext>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Status bar item and the view's badge. */
  private readonly status: FindingsStatus;
  private readonly treeView: vscode.TreeView<TreeNode>;
  /** The workspace scan (one at a time, progress, cancellation, results into the store). */
  private readonly scans: WorkspaceScan;
  /** Migration commands: plan, preview or apply, report what is left. */
  private readonly migration: Migration;
  /** Open documents: debounced analysis, diagnostics. */
  private readonly documents: DocumentAnalysis;

  constructor(private readonly secrets?: vscode.SecretStorage) {
    this.log = vscode.window.createOutputChannel('Mail OAuth Migrator', { log: true });
    this.scans = new WorkspaceScan(this);
    this.migration = new Migration(this);
    this.collection = vscode.languages.createDiagnosticCollection('mail-oauth');
    this.documents = new DocumentAnalysis({
      log: this.log,
      store: this.store,
      collection: this.collection,
      contextFor: (uri) => this.contextFor(uri),
      folderByKey: (key) => this.folders.get(key),
      track: (p) => this.track(p),
    });
    this.tree = new FindingsTreeProvider(this.store, (f, uri) => this.severityOf(f, uri), this.reports);
    this.treeView = vscode.window.createTreeView(VIEW_ID, {
      treeDataProvider: this.tree,
      showCollapseAll: true,
    });
    this.status = new FindingsStatus(this.tree, this.treeView);
    this.disposables.push(
      this.log,
      this.scans,
      this.collection,
      this.store,
      this.reports,
      this.tree,
      this.treeView,
      this.status,
    );
    this.disposables.push(this.store.onDidChange(() => this.updateStatus()));
  }

  start(): void {
    const d = this.disposables;
    d.push(
      vscode.languages.registerCodeActionsProvider(
        LANGUAGES.map((language) => ({ language, scheme: 'file' })),
        new MailCodeActionProvider({
          currentFindings: (doc) => this.currentFindings(doc),
          isOff: (f, uri) => this.severityOf(f, uri) === 'off',
          authFlowOf: (f) => this.contextFor(vscode.Uri.file(f.span.file)).settings.authFlow,
          planner: (findings, flow, to) => this.migration.planner(findings, flow, to),
        }),
        MailCodeActionProvider.metadata,
      ),
      vscode.workspace.onDidOpenTextDocument((doc) => this.documents.schedule(doc, OPEN_DEBOUNCE_MS)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) {
          this.documents.schedule(e.document, CHANGE_DEBOUNCE_MS);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.track(this.documents.onClose(doc))),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfiguration(e)),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => this.onFolders(e)),
      vscode.commands.registerCommand('mailOAuth.scanWorkspace', (req?: ScanRequest) =>
        this.scanWorkspace(req ?? {}),
      ),
      vscode.commands.registerCommand('mailOAuth.clearFindings', () => this.scans.clearResults()),
      vscode.commands.registerCommand('mailOAuth.showFindings', () =>
        vscode.commands.executeCommand(`${VIEW_ID}.focus`),
      ),
      vscode.commands.registerCommand(
        'mailOAuth.migrateFile',
        (target?: vscode.Uri | { uri?: vscode.Uri }, req?: MigrateRequest) =>
          this.migrateFile(target, req ?? {}),
      ),
      vscode.commands.registerCommand('mailOAuth.migrateWorkspace', (req?: MigrateRequest) =>
        this.migrateWorkspace(req ?? {}),
      ),
      vscode.commands.registerCommand(EXPLAIN_COMMAND, (message: string, code?: string) =>
        explainMigration(message, code),
      ),
      vscode.commands.registerCommand(
        AFTER_MIGRATION_COMMAND,
        (steps: string[], unused: string[], skipped: number) =>
          this.migration.afterMigration(steps, unused, skipped),
      ),
      ...registerReports(
        this.reports,
        this.tree,
        (doc) => this.store.get(doc.uri)?.findings ?? [],
        LANGUAGES,
      ),
      vscode.commands.registerCommand(EXPLAIN_TEXT_COMMAND, (text?: string) => explainTextCommand(text)),
      vscode.commands.registerCommand('mailOAuth.showSetup', (args?: SetupArgs) => showSetup(this.setupHost(), args)),
      vscode.commands.registerCommand('mailOAuth.forgetClientSecret', () =>
        forgetClientSecret(this.setupHost()),
      ),
      vscode.commands.registerCommand('mailOAuth.verifySetup', (args?: VerifyArgs) =>
        verifySetup(
          this.setupHost(),
          args && typeof args === 'object' && 'protocol' in args ? args : undefined,
        ),
      ),
    );
    this.watch();
    for (const doc of vscode.workspace.textDocuments) {
      this.documents.schedule(doc, OPEN_DEBOUNCE_MS);
    }
    const startup = (vscode.workspace.workspaceFolders ?? [])
      .map((f) => this.contextFor(f.uri))
      .filter((c) => c.settings.scanOnStartup);
    if (startup.length) {
      this.track(this.scans.scanFolders(startup, { silent: true }));
    }
    this.updateStatus();
  }

  // ---------------------------------------------------------------------------------------------- folders

  /** The folder context of a file (created on first use; never loads the core by itself). */
  contextFor(uri: vscode.Uri): FolderContext {
    const wf = vscode.workspace.getWorkspaceFolder(uri);
    const key = wf ? wf.uri.toString() : `loose:${path.dirname(uri.fsPath)}`;
    let ctx = this.folders.get(key);
    if (!ctx) {
      ctx = new FolderContext(key, wf ? wf.uri.fsPath : path.dirname(uri.fsPath), wf, this.log);
      this.folders.set(key, ctx);
    }
    return ctx;
  }

  private existingContextFor(uri: vscode.Uri): FolderContext | undefined {
    const wf = vscode.workspace.getWorkspaceFolder(uri);
    return this.folders.get(wf ? wf.uri.toString() : `loose:${path.dirname(uri.fsPath)}`);
  }

  severityOf(f: Finding, uri: vscode.Uri): EffectiveSeverity {
    const entry = this.store.get(uri);
    const ctx = entry ? this.folders.get(entry.folderKey) : this.existingContextFor(uri);
    return effectiveSeverity(f, ctx?.settings.severity ?? {});
  }

  // -------------------------------------------------------------------------------------------- documents
  // (document analysis itself lives in documents.ts; these serve the scan and migration hosts)

  eligible(doc: vscode.TextDocument): boolean {
    return this.documents.eligible(doc);
  }

  track<T>(p: Promise<T>): void {
    const q = p.catch((e: unknown) =>
      this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e)),
    );
    this.running.add(q);
    void q.finally(() => this.running.delete(q));
  }

  /** Analyses an open document now (no debounce). Returns the time spent in the analyzer. */
  analyzeDocument(doc: vscode.TextDocument): Promise<{ findings: number; ms: number; analyzerMs?: number }> {
    return this.documents.analyzeDocument(doc);
  }

  analyzeWith(
    doc: vscode.TextDocument,
    ctx: FolderContext,
    analyzer: AnalyzerProxy,
  ): Promise<{ findings: number; ms: number; analyzerMs?: number; stale?: boolean }> {
    return this.documents.analyzeWith(doc, ctx, analyzer);
  }

  /** Findings for the document's current version; analyses now when stale and the analyzer is warm. */
  currentFindings(doc: vscode.TextDocument): Promise<Finding[] | undefined> {
    return this.documents.currentFindings(doc);
  }

  forgetDocument(uri: vscode.Uri): void {
    this.documents.forget(uri);
  }

  publish(uri: vscode.Uri): void {
    this.documents.publish(uri);
  }

  private republishFolder(ctx: FolderContext): void {
    for (const e of this.store.forFolder(ctx.key)) {
      this.publish(e.uri);
    }
    this.tree.refresh();
    this.updateStatus();
  }

  openDocumentsOf(ctx: FolderContext): vscode.TextDocument[] {
    return vscode.workspace.textDocuments.filter(
      (d) =>
        d.uri.scheme === 'file' && LANGUAGES.includes(d.languageId) && this.existingContextFor(d.uri) === ctx,
    );
  }

  // ------------------------------------------------------------------------------------ settings, folders

  private onConfiguration(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration(SECTION)) {
      return;
    }
    for (const ctx of [...this.folders.values()]) {
      if (!e.affectsConfiguration(SECTION, ctx.folder?.uri ?? vscode.Uri.file(ctx.root))) {
        continue;
      }
      const change = ctx.update();
      this.log.info(`settings of ${ctx.name} changed (${change ?? 'no effect'})`);
      if (change === 'analyzer' || change === 'files') {
        this.refreshFolder(ctx);
      } else if (change === 'publish') {
        this.republishFolder(ctx);
      }
    }
  }

  /** Re-analyses what is shown for a folder: its open documents, and the whole folder if it was scanned. */
  private refreshFolder(ctx: FolderContext): void {
    if (ctx.scanned) {
      this.track(this.scans.scanFolders([ctx], { silent: true }));
      return;
    }
    // drop results that are not from an open document of this folder any more
    for (const e of this.store.forFolder(ctx.key)) {
      if (e.origin === 'scan') {
        this.store.delete(e.uri);
        this.publish(e.uri);
      }
    }
    for (const doc of this.openDocumentsOf(ctx)) {
      this.track(this.analyzeDocument(doc));
    }
  }

  private scheduleRefresh(ctx: FolderContext): void {
    const prev = this.refreshTimers.get(ctx.key);
    if (prev) {
      clearTimeout(prev);
    }
    this.refreshTimers.set(
      ctx.key,
      setTimeout(() => {
        this.refreshTimers.delete(ctx.key);
        this.refreshFolder(ctx);
      }, REFRESH_DEBOUNCE_MS),
    );
  }

  private onFolders(e: vscode.WorkspaceFoldersChangeEvent): void {
    for (const removed of e.removed) {
      const key = removed.uri.toString();
      const ctx = this.folders.get(key);
      if (!ctx) {
        continue;
      }
      ctx.reset();
      this.folders.delete(key);
      for (const entry of this.store.forFolder(key)) {
        this.store.delete(entry.uri);
        this.publish(entry.uri);
      }
    }
    // open documents may now belong to another (new) folder
    for (const doc of vscode.workspace.textDocuments) {
      this.documents.schedule(doc, OPEN_DEBOUNCE_MS);
    }
    const startup = e.added.map((f) => this.contextFor(f.uri)).filter((c) => c.settings.scanOnStartup);
    if (startup.length) {
      this.track(this.scans.scanFolders(startup, { silent: true }));
    }
  }

  // ------------------------------------------------------------------------------------------- watchers

  private watch(): void {
    const src = vscode.workspace.createFileSystemWatcher(SOURCE_GLOB);
    const env = vscode.workspace.createFileSystemWatcher('**/.env*');
    this.disposables.push(
      src,
      env,
      src.onDidChange((u) => this.onSourceFile(u, false)),
      src.onDidCreate((u) => this.onSourceFile(u, false)),
      src.onDidDelete((u) => this.onSourceFile(u, true)),
      env.onDidChange((u) => this.track(this.onEnvFile(u, false))),
      env.onDidCreate((u) => this.track(this.onEnvFile(u, false))),
      env.onDidDelete((u) => this.track(this.onEnvFile(u, true))),
    );
  }

  private onSourceFile(uri: vscode.Uri, deleted: boolean): void {
    if (
      uri.scheme !== 'file' ||
      /[\\/](node_modules|\.git)[\\/]/.test(uri.fsPath) ||
      /\.d\.[cm]?ts$/i.test(uri.fsPath)
    ) {
      return;
    }
    const ctx = this.existingContextFor(uri);
    const analyzer = ctx?.readyAnalyzer();
    if (!ctx || !analyzer) {
      return; // nothing analysed yet in this folder: nothing can be out of date
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!doc || !doc.isDirty) {
      // re-read from disk when next needed (a saved editor's text is the disk content; an unsaved one wins)
      analyzer.removeSource(uri.fsPath);
    }
    if (deleted && this.store.get(uri)?.origin === 'scan') {
      this.store.delete(uri);
      this.publish(uri);
    }
    this.scheduleRefresh(ctx);
  }

  private async onEnvFile(uri: vscode.Uri, deleted: boolean): Promise<void> {
    if (uri.scheme !== 'file' || /[\\/]node_modules[\\/]/.test(uri.fsPath)) {
      return;
    }
    const ctx = this.existingContextFor(uri);
    const analyzer = ctx?.readyAnalyzer();
    if (
      !ctx ||
      !analyzer ||
      !ctx.accepts(uri.fsPath) ||
      !(await analyzer.envFilesAmong([uri.fsPath])).length
    ) {
      return;
    }
    if (deleted) {
      analyzer.envRemove(uri.fsPath);
    } else {
      try {
        analyzer.envAdd(uri.fsPath, await fs.promises.readFile(uri.fsPath, 'utf8'));
      } catch (e) {
        this.log.warn(`cannot read ${uri.fsPath}: ${String(e)}`);
        return;
      }
    }
    this.log.info(`dotenv file ${deleted ? 'removed' : 'updated'}: ${uri.fsPath}`);
    this.scheduleRefresh(ctx);
  }

  // ----------------------------------------------------------------------------------------------- scan

  /** The `mailOAuth.scanWorkspace` command: every workspace folder, one analyzer each. */
  scanWorkspace(req: ScanRequest): Promise<ScanSummary> {
    return this.scans.scanWorkspace(req);
  }

  /** The folders with a context (an analyzer, settings). */
  folderContexts(): FolderContext[] {
    return [...this.folders.values()];
  }

  // -------------------------------------------------------------------------------------------- migrate

  private migrateFile(
    target: vscode.Uri | { uri?: vscode.Uri } | undefined,
    req: MigrateRequest,
  ): Promise<MigrateSummary> {
    return this.migration.migrateFile(target, req);
  }

  private migrateWorkspace(req: MigrateRequest): Promise<MigrateSummary> {
    return this.migration.migrateWorkspace(req);
  }

  /** Whether the core has a fix planner (creates the first folder's analyzer to know). */
  async hasFixPlanner(): Promise<boolean> {
    if (!isCoreLoaded()) {
      const f = vscode.workspace.workspaceFolders?.find((w) => w.uri.scheme === 'file');
      if (f) {
        await this.contextFor(f.uri).getAnalyzer();
      }
    }
    return plannerAvailable();
  }

  private setupHost(): SetupHost {
    return {
      log: this.log,
      secrets: this.secrets,
      visibleFindings: () => this.tree.visible().map((v) => v.finding),
      primaryFolder: () => {
        const f = vscode.workspace.workspaceFolders?.find((w) => w.uri.scheme === 'file');
        return f ? this.contextFor(f.uri) : undefined;
      },
      openWalkthrough: (step) => this.openWalkthrough(step),
    };
  }

  /** Opens the migration walkthrough at a step (ids of contributes.walkthroughs in package.json). */
  openWalkthrough(step: string): void {
    void vscode.commands.executeCommand(
      'workbench.action.openWalkthrough',
      { category: WALKTHROUGH, step: `${WALKTHROUGH}#${step}` },
      false,
    );
  }

  // --------------------------------------------------------------------------------------------- status

  updateStatus(): void {
    this.status.update(!!this.scans.running, !!this.scans.last);
  }

  /** Resolves once no debounced analysis, refresh or scan is pending (tests, benchmarks). */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (!this.documents.busy && !this.running.size && !this.scans.running && !this.refreshTimers.size) {
        return;
      }
      const waits: Promise<unknown>[] = [...this.running];
      if (this.scans.running) {
        waits.push(this.scans.running.catch(() => undefined));
      }
      await Promise.all(waits);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  findings(uri?: vscode.Uri): Finding[] {
    if (uri) {
      return this.store.get(uri)?.findings ?? [];
    }
    return this.store.entries().flatMap((e) => e.findings);
  }

  /** Roots of the folders whose analyzer worker is running. */
  liveAnalyzers(): string[] {
    return [...this.folders.values()].filter((c) => c.hasAnalyzer()).map((c) => c.root);
  }

  /** The findings view as text (tests). */
  treeSnapshot(): string[] {
    return this.status.treeSnapshot();
  }

  statusText(): string | undefined {
    return this.status.text;
  }

  stats(): { coreLoadMs: number; helpUri: (code: string) => string } {
    return { coreLoadMs: coreLoadMs(), helpUri };
  }

  dispose(): void {
    for (const t of this.refreshTimers.values()) {
      clearTimeout(t);
    }
    this.documents.dispose();
    this.refreshTimers.clear();
    for (const ctx of this.folders.values()) {
      ctx.reset(); // ends its analyzer worker
    }
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
