/**
 * Open documents: debounced analysis of the editor's text in the folder's warm analyzer, results published as
 * diagnostics (or an information diagnostic for a file the analyzer had to skip), the disk content analysed again
 * when a document closes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding } from '../core/model';
import type { AnalyzerProxy } from './analyzer-client';
import { isCoreLoaded } from './core';
import { notAnalysedDiagnostic, toDiagnostics } from './diagnostics';
import type { FolderContext } from './folders';
import { LANGUAGES, mayMentionMailPackage } from './prefilter';
import type { FindingStore } from './store';

/** What document analysis needs from the controller. */
export interface DocumentHost {
  readonly log: vscode.LogOutputChannel;
  readonly store: FindingStore;
  readonly collection: vscode.DiagnosticCollection;
  contextFor(uri: vscode.Uri): FolderContext;
  /** The folder context with this key, if it still exists. */
  folderByKey(key: string): FolderContext | undefined;
  track<T>(p: Promise<T>): void;
}

export class DocumentAnalysis implements vscode.Disposable {
  /** Debounced analyses by document URI. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Open documents the analyzer could not analyse (too deeply nested, say) → why (an information diagnostic). */
  private readonly unanalysed = new Map<string, string>();

  constructor(private readonly host: DocumentHost) {}

  /** True while an analysis waits for its debounce. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  eligible(doc: vscode.TextDocument): boolean {
    return (
      doc.uri.scheme === 'file' &&
      LANGUAGES.includes(doc.languageId) &&
      !/\.d\.[cm]?ts$/i.test(doc.uri.fsPath) &&
      this.host.contextFor(doc.uri).accepts(doc.uri.fsPath)
    );
  }

  schedule(doc: vscode.TextDocument, delay: number): void {
    if (doc.uri.scheme !== 'file' || !LANGUAGES.includes(doc.languageId)) {
      return;
    }
    const key = doc.uri.toString();
    this.cancelPending(key);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.host.track(this.analyzeDocument(doc));
      }, delay),
    );
  }

  private cancelPending(key: string): void {
    const t = this.pending.get(key);
    if (t) {
      clearTimeout(t);
      this.pending.delete(key);
    }
  }

  /** Analyses an open document now (no debounce). Returns the time spent in the analyzer. */
  async analyzeDocument(
    doc: vscode.TextDocument,
  ): Promise<{ findings: number; ms: number; analyzerMs?: number }> {
    this.cancelPending(doc.uri.toString());
    if (doc.isClosed) {
      return { findings: 0, ms: 0 };
    }
    const ctx = this.host.contextFor(doc.uri);
    if (!this.eligible(doc) || doc.getText().length > ctx.settings.maxFileSize) {
      this.forget(doc.uri);
      return { findings: 0, ms: 0 };
    }
    if (!isCoreLoaded() && !mayMentionMailPackage(doc.getText(), doc.uri.fsPath)) {
      // no mail package in sight: the core is not even loaded
      this.forget(doc.uri);
      return { findings: 0, ms: 0 };
    }
    const analyzer = ctx.readyAnalyzer() ?? (await ctx.getAnalyzer());
    if (doc.isClosed || ctx.readyAnalyzer() !== analyzer) {
      return { findings: 0, ms: 0 };
    }
    return this.analyzeWith(doc, ctx, analyzer);
  }

  /**
   * Sends the document text of this very moment (and its version) to the folder's analyzer worker. The
   * result is stored only when the document still has that version and the analyzer was not replaced
   * meanwhile: a stale result is dropped (the edit that made it stale has scheduled a new analysis).
   * `ms` is the round trip (analysis in the worker plus messaging).
   */
  async analyzeWith(
    doc: vscode.TextDocument,
    ctx: FolderContext,
    analyzer: AnalyzerProxy,
  ): Promise<{ findings: number; ms: number; analyzerMs?: number; stale?: boolean }> {
    const version = doc.version;
    const text = doc.getText();
    const file = doc.uri.fsPath;
    const t0 = performance.now();
    let findings: Finding[];
    let skipped: string | undefined;
    try {
      findings = (await analyzer.analyzeText(file, text)).filter(
        (f) => f.span.file === file || path.resolve(f.span.file) === file,
      );
    } catch (e) {
      if (ctx.readyAnalyzer() !== analyzer) {
        return { findings: 0, ms: performance.now() - t0, stale: true };
      }
      if (e instanceof Error && e.name === 'AnalysisSkipped') {
        // This file only (too deeply nested, say): the analyzer goes on serving the others.
        skipped = e.message;
        this.host.log.warn(`${file} not analysed: ${e.message}`);
      } else {
        this.host.log.error(
          `analysis of ${file} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
      }
      findings = [];
    }
    const ms = performance.now() - t0;
    if (doc.isClosed || doc.version !== version || ctx.readyAnalyzer() !== analyzer) {
      return { findings: findings.length, ms, stale: true };
    }
    if (skipped) {
      this.unanalysed.set(doc.uri.toString(), skipped);
    } else {
      this.unanalysed.delete(doc.uri.toString());
    }
    this.host.store.set({ uri: doc.uri, folderKey: ctx.key, findings, origin: 'document', version });
    this.publish(doc.uri);
    return { findings: findings.length, ms, analyzerMs: analyzer.lastCallMs };
  }

  /** Findings for the document's current version; analyses now when stale and the analyzer is warm. */
  async currentFindings(doc: vscode.TextDocument): Promise<Finding[] | undefined> {
    const entry = this.host.store.get(doc.uri);
    if (entry?.origin === 'document' && entry.version === doc.version) {
      return entry.findings;
    }
    if (!this.eligible(doc)) {
      return undefined;
    }
    const ctx = this.host.contextFor(doc.uri);
    const analyzer = ctx.readyAnalyzer();
    if (!analyzer) {
      return undefined;
    }
    const version = doc.version;
    await this.analyzeWith(doc, ctx, analyzer);
    const fresh = this.host.store.get(doc.uri);
    return fresh?.origin === 'document' && fresh.version === version && doc.version === version
      ? fresh.findings
      : undefined;
  }

  /** Drops what is shown for a document (its findings or its "not analysed" note). */
  forget(uri: vscode.Uri): void {
    const entry = this.host.store.get(uri);
    if (this.unanalysed.delete(uri.toString()) && !entry) {
      this.publish(uri);
    }
    if (entry) {
      this.host.store.delete(uri);
      this.publish(uri);
    }
  }

  /** A closed document goes back to what is on disk (analysed again if its folder was scanned). */
  async onClose(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    this.cancelPending(key);
    const store = this.host.store;
    const entry = store.get(doc.uri);
    if (this.unanalysed.delete(key)) {
      this.publish(doc.uri);
    }
    if (doc.uri.scheme !== 'file' || !entry || entry.origin !== 'document') {
      return;
    }
    const ctx = this.host.folderByKey(entry.folderKey);
    const analyzer = ctx?.readyAnalyzer();
    const file = doc.uri.fsPath;
    // The analyzer holds the editor's text: go back to what is on disk.
    analyzer?.removeSource(file);
    if (ctx?.scanned && analyzer && fs.existsSync(file)) {
      let findings: Finding[] = [];
      try {
        findings = await analyzer.analyzeText(file, await fs.promises.readFile(file, 'utf8'));
      } catch (e) {
        this.host.log.warn(`analysis of ${file} failed: ${String(e)}`);
      }
      const reopened = vscode.workspace.textDocuments.some((d) => d.uri.toString() === key);
      if (reopened || ctx.readyAnalyzer() !== analyzer || store.get(doc.uri) !== entry) {
        return; // the document was opened again, or the folder re-analysed: that result wins
      }
      store.set({ uri: doc.uri, folderKey: ctx.key, findings, origin: 'scan' });
    } else {
      store.delete(doc.uri);
    }
    this.publish(doc.uri);
  }

  /** Shows what the store holds for a file as diagnostics (severities from its folder's settings). */
  publish(uri: vscode.Uri): void {
    const { store, collection } = this.host;
    const entry = store.get(uri);
    const skipped = this.unanalysed.get(uri.toString());
    if (skipped) {
      collection.set(uri, [notAnalysedDiagnostic(skipped)]);
      return;
    }
    if (!entry || !entry.findings.length) {
      collection.delete(uri);
      return;
    }
    const ctx = this.host.folderByKey(entry.folderKey);
    collection.set(uri, toDiagnostics(entry.findings, ctx?.settings.severity ?? {}));
  }

  dispose(): void {
    for (const t of this.pending.values()) {
      clearTimeout(t);
    }
    this.pending.clear();
  }
}
