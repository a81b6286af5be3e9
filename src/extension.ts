/**
 * VS Code entry point. Activation is cheap: the analyzer core (dist/analyzer.js: ts-morph + TypeScript) is
 * loaded only when a document mentions a mail package, a scan runs, or a migration is requested.
 */
import * as vscode from 'vscode';
import type { Finding } from './core/model';
import { coreLoadMs, getFixPlanner, isCoreLoaded } from './vscode/core';
import { Controller, type ScanRequest, type ScanSummary } from './vscode/controller';

/** What `activate()` returns (`vscode.extensions.getExtension(...).exports`): used by tests and benchmarks. */
export interface MailOAuthApi {
  /** Time spent in activate(), ms. */
  readonly activationMs: number;
  /** Whether the analyzer core (dist/analyzer.js) has been loaded. */
  isAnalyzerLoaded(): boolean;
  /** Time it took to load the core, ms (0 while not loaded). */
  analyzerLoadMs(): number;
  /** Whether the loaded core has a fix planner (`planFix`). Loads the core. */
  hasFixPlanner(): boolean;
  scanWorkspace(request?: ScanRequest): Promise<ScanSummary>;
  /** Analyses an open document now, bypassing the debounce; `ms` is the time spent in the analyzer. */
  analyzeDocument(doc: vscode.TextDocument): Promise<{ findings: number; ms: number }>;
  /** Findings currently shown (one file, or all). */
  findings(uri?: vscode.Uri): Finding[];
  /** Resolves when no analysis, refresh or scan is pending. */
  whenIdle(): Promise<void>;
  /** Status bar text (undefined when hidden). */
  statusText(): string | undefined;
  /** The findings view rendered as indented lines (protocol → file → finding). */
  treeSnapshot(): string[];
}

let controller: Controller | undefined;

export function activate(context: vscode.ExtensionContext): MailOAuthApi {
  const t0 = performance.now();
  const c = new Controller(context.secrets);
  controller = c;
  context.subscriptions.push(c);
  c.start();
  const activationMs = performance.now() - t0;
  c.log.info(`activated in ${activationMs.toFixed(1)} ms (analyzer not loaded yet)`);
  return {
    activationMs,
    isAnalyzerLoaded: isCoreLoaded,
    analyzerLoadMs: coreLoadMs,
    hasFixPlanner: () => getFixPlanner() !== undefined,
    scanWorkspace: (request) => c.scanWorkspace(request ?? {}),
    analyzeDocument: (doc) => c.analyzeDocument(doc),
    findings: (uri) => c.findings(uri),
    whenIdle: () => c.whenIdle(),
    statusText: () => c.statusText(),
    treeSnapshot: () => c.treeSnapshot(),
  };
}

export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
