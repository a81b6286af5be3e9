/**
 * VS Code entry point. Activation is cheap: the analyzer core (dist/analyzer.js: ts-morph + TypeScript) is
 * loaded only when a document mentions a mail package, a scan runs, or a migration is requested, and then
 * in an analyzer worker thread (src/vscode/analyzer-client.ts), never on the extension host thread.
 */
import * as vscode from 'vscode';
import type { Finding } from './core/model';
import { coreLoadMs, isCoreLoaded, isCoreLoadedOnHost } from './vscode/core';
import { Controller, type ScanRequest, type ScanSummary } from './vscode/controller';
import { mcpDefinitions, registerMcpServer } from './vscode/mcp';

/** What `activate()` returns (`vscode.extensions.getExtension(...).exports`): used by tests and benchmarks. */
export interface MailOAuthApi {
  /** Time spent in activate(), ms. */
  readonly activationMs: number;
  /** Whether the analyzer core (dist/analyzer.js) has been loaded. */
  isAnalyzerLoaded(): boolean;
  /** Whether the core has been loaded on the extension host thread itself (never, in the bundle). */
  isAnalyzerLoadedOnHost(): boolean;
  /** Time it took to load the core, ms (0 while not loaded). */
  analyzerLoadMs(): number;
  /** Whether the core has a fix planner (`planFixes`). Loads the core (in a worker). */
  hasFixPlanner(): Promise<boolean>;
  scanWorkspace(request?: ScanRequest): Promise<ScanSummary>;
  /**
   * Analyses an open document now, bypassing the debounce; `ms` is the round trip to the analyzer worker,
   * `analyzerMs` the part spent analysing in it.
   */
  analyzeDocument(doc: vscode.TextDocument): Promise<{ findings: number; ms: number; analyzerMs?: number }>;
  /** Findings currently shown (one file, or all). */
  findings(uri?: vscode.Uri): Finding[];
  /** Resolves when no analysis, refresh or scan is pending. */
  whenIdle(): Promise<void>;
  /** Status bar text (undefined when hidden). */
  statusText(): string | undefined;
  /** The findings view rendered as indented lines (protocol → file → finding). */
  treeSnapshot(): string[];
  /** Roots of the workspace folders whose analyzer worker is running. */
  liveAnalyzers(): string[];
  /**
   * Starts probing the extension host's event loop (a 10 ms interval timer); `stop()` ends the probe and
   * returns the longest time the loop was blocked (timer lateness), ms.
   */
  probeEventLoop(): { stop(): number };
  /** The MCP server definitions registered for agent mode; undefined when this VS Code has no MCP API. */
  mcpServers(): { label: string; command: string; args: string[]; env: Record<string, string> }[] | undefined;
}

function probeEventLoop(): { stop(): number } {
  const period = 10;
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - period);
    last = now;
  }, period);
  return {
    stop: () => {
      clearInterval(timer);
      // a block still going on when stopped counts too
      return Math.max(max, performance.now() - last - period);
    },
  };
}

let controller: Controller | undefined;

export function activate(context: vscode.ExtensionContext): MailOAuthApi {
  const t0 = performance.now();
  const c = new Controller(context.secrets);
  controller = c;
  context.subscriptions.push(
    c,
    ...registerMcpServer(context.extensionPath, String(context.extension.packageJSON.version)),
  );
  c.start();
  const activationMs = performance.now() - t0;
  c.log.info(`activated in ${activationMs.toFixed(1)} ms (analyzer not loaded yet)`);
  return {
    activationMs,
    isAnalyzerLoaded: isCoreLoaded,
    isAnalyzerLoadedOnHost: isCoreLoadedOnHost,
    analyzerLoadMs: coreLoadMs,
    hasFixPlanner: () => c.hasFixPlanner(),
    scanWorkspace: (request) => c.scanWorkspace(request ?? {}),
    analyzeDocument: (doc) => c.analyzeDocument(doc),
    findings: (uri) => c.findings(uri),
    whenIdle: () => c.whenIdle(),
    statusText: () => c.statusText(),
    treeSnapshot: () => c.treeSnapshot(),
    liveAnalyzers: () => c.liveAnalyzers(),
    probeEventLoop,
    mcpServers: () => mcpDefinitions?.(),
  };
}

export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
