/**
 * The extension's workspace scan: one at a time (a request during a scan runs after it), progress in the window or
 * a cancellable notification, each folder's warm analyzer, the results into the findings store, the editors' own
 * text analysed again afterwards. Files the scan skipped (too large, minified, binary, too deeply nested,
 * unreadable) get an information diagnostic with the reason, as an open document the analyzer skips does.
 */
import * as vscode from 'vscode';
import { isSourceFile } from './prefilter';
import type { Finding, SkippedFile } from '../core/model';
import type { AnalyzerProxy } from './analyzer-client';
import type { ScanRequest, ScanSummary } from './controller';
import { type EffectiveSeverity, notAnalysedDiagnostic } from './diagnostics';
import type { FolderContext } from './folders';
import type { FindingStore } from './store';

/** What the scan needs from the controller. */
export interface ScanHost {
  readonly log: vscode.LogOutputChannel;
  readonly store: FindingStore;
  folderContexts(): FolderContext[];
  contextFor(uri: vscode.Uri): FolderContext;
  track<T>(p: Promise<T>): void;
  openDocumentsOf(ctx: FolderContext): vscode.TextDocument[];
  eligible(doc: vscode.TextDocument): boolean;
  forgetDocument(uri: vscode.Uri): void;
  analyzeWith(doc: vscode.TextDocument, ctx: FolderContext, analyzer: AnalyzerProxy): Promise<unknown>;
  severityOf(f: Finding, uri: vscode.Uri): EffectiveSeverity;
  publish(uri: vscode.Uri): void;
  updateStatus(): void;
}

/** Skip reasons about a folder or a link, not a file an editor could show a message on. */
const NOT_A_FILE = /^(?:build output|excluded by settings|symlink|broken symlink|unreadable folder|cannot read path)/;

export class WorkspaceScan implements vscode.Disposable {
  /** The scan in progress. */
  running: Promise<ScanSummary> | undefined;
  /** The last scan that was not cancelled. */
  last: ScanSummary | undefined;
  private readonly rescanQueued = new Set<FolderContext>();
  /** Stops the scan in progress (Clear Findings: a scan that ends after it must not bring results back). */
  private abortRunning: (() => void) | undefined;
  /**
   * Files the last scan of each folder skipped (uri → reason, by folder key), shown as information
   * diagnostics while the file is not open: an open document's own analysis speaks for it.
   */
  private readonly skipped = new Map<string, Map<string, string>>();
  private readonly notAnalysed = vscode.languages.createDiagnosticCollection('mail-oauth-not-analysed');
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly host: ScanHost) {
    this.subscriptions = [
      this.notAnalysed,
      vscode.workspace.onDidOpenTextDocument((d) => this.notAnalysed.delete(d.uri)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        const reason = this.reasonFor(d.uri);
        if (reason) {
          this.notAnalysed.set(d.uri, [notAnalysedDiagnostic(reason)]);
        }
      }),
    ];
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
  }

  private reasonFor(uri: vscode.Uri): string | undefined {
    const k = uri.toString();
    for (const files of this.skipped.values()) {
      const reason = files.get(k);
      if (reason) {
        return reason;
      }
    }
    return undefined;
  }

  /** The files a folder's scan skipped replace those of its previous scan. */
  private applySkipped(ctx: FolderContext, skipped: readonly SkippedFile[]): void {
    for (const k of this.skipped.get(ctx.key)?.keys() ?? []) {
      this.notAnalysed.delete(vscode.Uri.parse(k));
    }
    const files = new Map<string, string>();
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const s of skipped) {
      if (!isSourceFile(s.file) || NOT_A_FILE.test(s.reason) || !ctx.accepts(s.file)) {
        continue;
      }
      const uri = vscode.Uri.file(s.file);
      files.set(uri.toString(), s.reason);
      if (!open.has(uri.toString())) {
        this.notAnalysed.set(uri, [notAnalysedDiagnostic(s.reason)]);
      }
    }
    this.skipped.set(ctx.key, files);
  }

  scanWorkspace(req: ScanRequest): Promise<ScanSummary> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (!folders.length) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Open a folder to scan it for password mail logins.'),
      );
      return Promise.resolve(emptySummary());
    }
    return this.scanFolders(
      folders.map((f) => this.host.contextFor(f.uri)),
      req,
    );
  }

  async scanFolders(ctxs: FolderContext[], req: ScanRequest): Promise<ScanSummary> {
    // one scan at a time: a request during a scan runs once the current one is done
    while (this.running) {
      if (req.silent) {
        ctxs.forEach((c) => this.rescanQueued.add(c));
        return this.running;
      }
      await this.running.catch(() => undefined);
    }
    const run = this.runScan(ctxs, req);
    this.running = run;
    this.host.updateStatus();
    try {
      return await run;
    } finally {
      this.running = undefined;
      this.host.updateStatus();
      if (this.rescanQueued.size) {
        const again = [...this.rescanQueued].filter((c) => this.host.folderContexts().includes(c));
        this.rescanQueued.clear();
        if (again.length) {
          this.host.track(this.scanFolders(again, { silent: true }));
        }
      }
    }
  }

  private runScan(ctxs: FolderContext[], req: ScanRequest): Promise<ScanSummary> {
    const title = vscode.l10n.t('Scanning for password mail logins');
    const task = (
      progress: vscode.Progress<{ message?: string; increment?: number }>,
      token?: vscode.CancellationToken,
    ): Promise<ScanSummary> => this.scanTask(ctxs, req, progress, token);
    if (req.silent) {
      return Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, (p) => task(p)),
      );
    }
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (p, t) => task(p, t),
      ),
    );
  }

  private async scanTask(
    ctxs: FolderContext[],
    req: ScanRequest,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    uiToken: vscode.CancellationToken | undefined,
  ): Promise<ScanSummary> {
    const t0 = performance.now();
    const abort = new AbortController();
    this.abortRunning = () => abort.abort();
    const subs: vscode.Disposable[] = [];
    for (const token of [uiToken, req.token]) {
      if (token) {
        if (token.isCancellationRequested) {
          abort.abort();
        }
        subs.push(token.onCancellationRequested(() => abort.abort()));
      }
    }
    const summary = emptySummary();
    let reported = 0;
    try {
      for (let i = 0; i < ctxs.length && !abort.signal.aborted; i++) {
        const ctx = ctxs[i];
        const analyzer = await ctx.getAnalyzer();
        if (ctx.readyAnalyzer() !== analyzer) {
          // settings changed while the analyzer was being created
          this.rescanQueued.add(ctx);
          continue;
        }
        const share = 100 / ctxs.length;
        const prefix = ctxs.length > 1 ? `${ctx.name}: ` : '';
        let result;
        try {
          result = await analyzer.scan([ctx.root], {
            signal: abort.signal,
            onProgress: (p) => {
              req.onProgress?.({ ...p, folder: ctx.root });
              const frac =
                p.phase === 'walk'
                  ? 0
                  : p.phase === 'read'
                    ? p.total
                      ? (p.done / p.total) * 0.5
                      : 0
                    : 0.5 + (p.total ? (p.done / p.total) * 0.5 : 0.5);
              const target = i * share + frac * share;
              const message =
                p.phase === 'walk'
                  ? vscode.l10n.t('{0}finding files…', prefix)
                  : p.phase === 'read'
                    ? vscode.l10n.t('{0}{1} of {2} files read', prefix, p.done, p.total)
                    : vscode.l10n.t('{0}{1} of {2} candidate files analysed', prefix, p.done, p.total);
              progress.report({ message, increment: Math.max(0, target - reported) });
              reported = Math.max(reported, target);
            },
          });
        } catch (e) {
          if (isAbort(e)) {
            summary.cancelled = true;
            break;
          }
          if (ctx.readyAnalyzer() !== analyzer) {
            // settings changed (or the worker stopped) during the scan
            this.rescanQueued.add(ctx);
            continue;
          }
          throw e;
        }
        if (ctx.readyAnalyzer() !== analyzer) {
          this.rescanQueued.add(ctx);
          continue;
        }
        summary.scannedFiles += result.stats.files;
        summary.parsedFiles += result.stats.parsed;
        summary.skipped += result.skipped.length;
        this.applyScan(ctx, result.findings);
        this.applySkipped(ctx, result.skipped);
        this.host.log.info(
          `scan of ${ctx.root}: ${result.findings.length} finding(s), ${result.stats.files} files, ${result.stats.parsed} parsed, ${result.skipped.length} skipped, ${result.stats.durationMs} ms`,
        );
      }
    } finally {
      subs.forEach((s) => s.dispose());
    }
    if (summary.cancelled) {
      this.host.log.info('scan cancelled');
      if (!req.silent) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Mail OAuth scan cancelled.'));
      }
    }
    // The scan put the disk content into the analyzers: put the editors' text back.
    for (const ctx of ctxs) {
      for (const doc of this.host.openDocumentsOf(ctx)) {
        const a = ctx.readyAnalyzer();
        if (!this.host.eligible(doc)) {
          this.host.forgetDocument(doc.uri);
        } else if (a) {
          await this.host.analyzeWith(doc, ctx, a);
        }
      }
    }
    for (const ctx of ctxs) {
      for (const e of this.host.store.forFolder(ctx.key)) {
        const visible = e.findings.filter((f) => this.host.severityOf(f, e.uri) !== 'off').length;
        if (visible) {
          summary.files++;
          summary.findings += visible;
        }
      }
    }
    summary.durationMs = Math.round(performance.now() - t0);
    if (!summary.cancelled) {
      this.last = summary;
      if (!req.silent) {
        const show = vscode.l10n.t('Show');
        const msg =
          summary.findings === 0
            ? vscode.l10n.t(
                'No password logins to Exchange Online or Outlook.com found ({0} files scanned).',
                summary.scannedFiles,
              )
            : vscode.l10n.t(
                '{0} password login(s) to Exchange Online / Outlook.com in {1} file(s).',
                summary.findings,
                summary.files,
              );
        void vscode.window.showInformationMessage(msg, ...(summary.findings ? [show] : [])).then((c) => {
          if (c === show) {
            void vscode.commands.executeCommand('mailOAuth.showFindings');
          }
        });
      }
    }
    this.host.updateStatus();
    return summary;
  }

  private applyScan(ctx: FolderContext, findings: readonly Finding[]): void {
    const byFile = new Map<string, Finding[]>();
    for (const f of findings) {
      if (!ctx.accepts(f.span.file)) {
        continue;
      }
      const k = vscode.Uri.file(f.span.file).toString();
      byFile.set(k, [...(byFile.get(k) ?? []), f]);
    }
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const e of this.host.store.forFolder(ctx.key)) {
      if (e.origin === 'scan' && !byFile.has(e.uri.toString())) {
        this.host.store.delete(e.uri);
        this.host.publish(e.uri);
      }
    }
    for (const [k, list] of byFile) {
      if (open.has(k)) {
        continue; // the editor's text wins; re-analysed after the scan
      }
      const uri = vscode.Uri.parse(k);
      this.host.store.set({ uri, folderKey: ctx.key, findings: list, origin: 'scan' });
      this.host.publish(uri);
    }
    ctx.scanned = true;
  }

  clearResults(): void {
    // a scan still running (a silent re-scan after a file changed, say) would publish its results after
    // this: it is cancelled, and the re-scans queued behind it are dropped
    this.rescanQueued.clear();
    this.abortRunning?.();
    this.skipped.clear();
    this.notAnalysed.clear();
    for (const ctx of this.host.folderContexts()) {
      ctx.scanned = false;
    }
    for (const e of this.host.store.entries()) {
      if (e.origin === 'scan') {
        this.host.store.delete(e.uri);
        this.host.publish(e.uri);
      }
    }
    this.last = undefined;
    this.host.updateStatus();
  }
}

function emptySummary(): ScanSummary {
  return {
    cancelled: false,
    findings: 0,
    files: 0,
    scannedFiles: 0,
    parsedFiles: 0,
    skipped: 0,
    durationMs: 0,
  };
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || /cancel/i.test(e.message));
}
