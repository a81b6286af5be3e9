/**
 * The extension host's handle on a folder's Analyzer. In the packaged extension the Analyzer (and the
 * TypeScript compiler it needs) lives in a worker thread (dist/analyzer-worker.js, see analyzer-worker.ts):
 * the extension host thread never loads the compiler and never runs an analysis, it only posts messages.
 *
 * Running from sources (tsx, no analyzer-worker.js next to this file) an in-process fallback with the same
 * async API is used instead (InProcessAnalyzer below); it is the only path that loads the core here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalyzerOptions, ScanProgress } from '../core/analyzer';
import type { EnvHit } from '../core/env';
import type { Finding, Protocol, ScanResult } from '../core/model';
import { shareStrings } from '../share-strings';
import type { AnalyzerWorkerData, ClientMessage, WorkerReply } from './analyzer-worker';
import { ANALYZER_RESOURCE_LIMITS } from '../worker-limits';
import {
  type PlannedFixes,
  type SetupApi,
  getSetupApi,
  getVerifyApi,
  loadCore,
  noteWorkerCore,
} from './core';
import { runVerify, type VerifyEvent, type VerifyOutcome } from './verify-run';

export type PlannerFlow = 'auto' | 'app' | 'delegated';
/** What the login becomes: XOAUTH2 (default), or Microsoft Graph sendMail for send-only nodemailer code. */
export type PlannerTarget = 'xoauth2' | 'graph';
export type WorkerPlan = Partial<PlannedFixes> & { edits: PlannedFixes['edits'] };

export interface ScanCall {
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
}

export type { VerifyEvent, VerifyOutcome };
export type VerifyInput = Record<string, unknown> & { protocol: Protocol };
export interface VerifyCall {
  signal?: AbortSignal;
  onEvent?: (e: VerifyEvent) => void;
}

/** The async face of an Analyzer; calls are served in the order they are made. */
export interface AnalyzerProxy {
  readonly root: string;
  /** Set when the worker died: the folder then creates a new one on next use. */
  readonly failed: boolean;
  /** Whether calls are in flight (an idle analyzer may be ended, a busy one not). */
  busy(): boolean;
  /** Time the last answered call took inside the analyzer (without the messaging), ms. */
  readonly lastCallMs: number;
  /** Resolves once the core is loaded and the Analyzer exists. */
  ready(): Promise<void>;
  /** The files among `files` whose base name is one of the configured dotenv files. */
  envFilesAmong(files: readonly string[]): Promise<string[]>;
  analyzeText(file: string, text: string): Promise<Finding[]>;
  scan(paths: readonly string[], call?: ScanCall): Promise<ScanResult>;
  setSource(file: string, text: string): void;
  removeSource(file: string): void;
  invalidate(file: string): void;
  textOf(file: string): Promise<string | undefined>;
  envAdd(file: string, text: string): void;
  envRemove(file: string): void;
  envLookup(name: string, file: string, root: string): Promise<EnvHit | undefined>;
  /** The core's planFixes, with `texts` (open editors) winning over the disk; null when the core has none. */
  planFixes(
    findings: readonly Finding[],
    flow: PlannerFlow,
    texts: [string, string][],
    to?: PlannerTarget,
  ): Promise<WorkerPlan | null>;
  /** The core's setup checklist and PowerShell script as markdown; null when the core has none. */
  setupMarkdown(input: SetupInput): Promise<string | null>;
  /**
   * Signs in and opens an XOAUTH2 session step by step (the core's verify), beside the analysis queue;
   * null when the core has no verifier. Cancelled through `signal` (rejects with an AbortError).
   */
  verify(input: VerifyInput, call?: VerifyCall): Promise<VerifyOutcome | null>;
  /** Ends the worker once the calls in flight are answered. */
  dispose(): void;
}

type Options = Omit<AnalyzerOptions, 'now'>;
export type SetupInput = Parameters<SetupApi['setupScript']>[0];

const WORKER_FILE = path.join(__dirname, 'analyzer-worker.js');

/** Worker-backed when dist/analyzer-worker.js is there (the bundle), in-process from sources. */
export function createAnalyzer(root: string, options: Options): AnalyzerProxy {
  return fs.existsSync(WORKER_FILE)
    ? new WorkerAnalyzer(root, options)
    : new InProcessAnalyzer(root, options);
}

interface PendingCall {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: ScanProgress) => void;
  onFindings?: (f: Finding[]) => void;
  onEvent?: (e: VerifyEvent) => void;
}

class WorkerAnalyzer implements AnalyzerProxy {
  failed = false;
  lastCallMs = 0;
  private readonly worker: Worker;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private disposing = false;
  private readonly loaded: Promise<void>;

  constructor(
    readonly root: string,
    options: Options,
  ) {
    const workerData: AnalyzerWorkerData = { mailOAuthAnalyzer: true, root, options };
    this.worker = new Worker(WORKER_FILE, { workerData, resourceLimits: ANALYZER_RESOURCE_LIMITS });
    this.worker.unref();
    let onLoaded!: () => void;
    let onFailed!: (e: Error) => void;
    this.loaded = new Promise<void>((res, rej) => {
      onLoaded = res;
      onFailed = rej;
    });
    this.loaded.catch(() => undefined);
    this.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'loaded') {
        noteWorkerCore({ ms: m.ms, hasPlanner: m.hasPlanner, fixable: m.fixable });
        onLoaded();
        return;
      }
      const call = this.pending.get(m.id);
      if (!call) {
        return;
      }
      if (m.type === 'progress') {
        call.onProgress?.(m.progress);
        return;
      }
      if (m.type === 'findings') {
        call.onFindings?.(m.findings);
        return;
      }
      if (m.type === 'event') {
        call.onEvent?.(m.event);
        return;
      }
      this.pending.delete(m.id);
      if (m.type === 'result') {
        this.lastCallMs = m.ms;
        call.resolve(m.value);
      } else {
        const e = new Error(m.message);
        e.name = m.name;
        if (m.stack) {
          e.stack = m.stack;
        }
        call.reject(e);
      }
      this.maybeTerminate();
    });
    const fail = (e: Error): void => {
      this.failed = true;
      onFailed(e);
      for (const call of this.pending.values()) {
        call.reject(e);
      }
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`analyzer worker exited (code ${code})`)));
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  busy(): boolean {
    return this.pending.size > 0;
  }

  envFilesAmong(files: readonly string[]): Promise<string[]> {
    return this.call('envFilesAmong', [[...files]]);
  }

  private call<T>(
    method: string,
    args: unknown[],
    listeners: Pick<PendingCall, 'onProgress' | 'onFindings' | 'onEvent'> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    if (this.failed) {
      return Promise.reject(new Error('analyzer worker is not running'));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject, ...listeners });
      if (signal) {
        const cancel = (): void => {
          this.post({ type: 'cancel', id });
          const e = new Error(method === 'scan' ? 'Scan cancelled' : 'Cancelled');
          e.name = 'AbortError';
          // answer now; the worker's own AbortError answer is then ignored
          if (this.pending.delete(id)) {
            reject(e);
            this.maybeTerminate();
          }
        };
        if (signal.aborted) {
          queueMicrotask(cancel);
        } else {
          signal.addEventListener('abort', cancel, { once: true });
        }
      }
      this.post({ type: 'call', id, method, args });
    });
  }

  private post(m: ClientMessage): void {
    if (!this.failed) {
      this.worker.postMessage(m);
    }
  }

  /** Fire-and-forget calls: ordered with the others, errors only logged by the next call that fails. */
  private send(method: string, args: unknown[]): void {
    this.call(method, args).catch(() => undefined);
  }

  analyzeText(file: string, text: string): Promise<Finding[]> {
    return this.call('analyzeText', [file, text]);
  }

  async scan(paths: readonly string[], c: ScanCall = {}): Promise<ScanResult> {
    // The worker posts the findings batch by batch while it scans and returns the rest of the result.
    const findings: Finding[] = [];
    const strings = new Map<string, string>();
    const r = await this.call<ScanResult>(
      'scan',
      [[...paths]],
      {
        onProgress: c.onProgress,
        onFindings: (f) => f.forEach((x) => findings.push(shareStrings(x, strings))),
      },
      c.signal,
    );
    // (the order of the core's sortFindings)
    findings.push(...r.findings);
    findings.sort((a, b) => a.span.file.localeCompare(b.span.file) || a.span.start - b.span.start);
    return { ...r, findings };
  }

  setSource(file: string, text: string): void {
    this.send('setSource', [file, text]);
  }

  removeSource(file: string): void {
    this.send('removeSource', [file]);
  }

  invalidate(file: string): void {
    this.send('invalidate', [file]);
  }

  textOf(file: string): Promise<string | undefined> {
    return this.call('textOf', [file]);
  }

  envAdd(file: string, text: string): void {
    this.send('envAdd', [file, text]);
  }

  envRemove(file: string): void {
    this.send('envRemove', [file]);
  }

  envLookup(name: string, file: string, root: string): Promise<EnvHit | undefined> {
    return this.call('envLookup', [name, file, root]);
  }

  planFixes(
    findings: readonly Finding[],
    flow: PlannerFlow,
    texts: [string, string][],
    to: PlannerTarget = 'xoauth2',
  ): Promise<WorkerPlan | null> {
    return this.call('planFixes', [[...findings], flow, texts, to]);
  }

  setupMarkdown(input: SetupInput): Promise<string | null> {
    return this.call('setupMarkdown', [input]);
  }

  verify(input: VerifyInput, c: VerifyCall = {}): Promise<VerifyOutcome | null> {
    return this.call('verify', [input], { onEvent: c.onEvent }, c.signal);
  }

  dispose(): void {
    this.disposing = true;
    this.maybeTerminate();
  }

  private maybeTerminate(): void {
    if (this.disposing && !this.pending.size && !this.failed) {
      this.failed = true;
      void this.worker.terminate();
    }
  }
}

/** From sources only (no bundle): the same API over an Analyzer of this thread. */
class InProcessAnalyzer implements AnalyzerProxy {
  readonly failed = false;
  lastCallMs = 0;
  private readonly analyzer;
  private readonly planner;
  private readonly isolate;
  private readonly overlayReader;

  constructor(
    readonly root: string,
    options: Options,
  ) {
    const core = loadCore();
    this.analyzer = new core.Analyzer(root, options);
    this.planner = core.planFixes;
    this.isolate = core.planIsolated;
    this.overlayReader = core.overlayReader;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  busy(): boolean {
    return false;
  }

  envFilesAmong(files: readonly string[]): Promise<string[]> {
    return Promise.resolve(files.filter((f) => this.analyzer.env.isEnvFile(path.basename(f))));
  }

  analyzeText(file: string, text: string): Promise<Finding[]> {
    return Promise.resolve().then(() => {
      const t0 = performance.now();
      const out = this.analyzer.analyzeText(file, text);
      this.lastCallMs = performance.now() - t0;
      return out;
    });
  }

  scan(paths: readonly string[], c: ScanCall = {}): Promise<ScanResult> {
    return this.analyzer.scan(paths, { signal: c.signal, onProgress: c.onProgress });
  }

  setSource(file: string, text: string): void {
    this.analyzer.setSource(file, text);
  }

  removeSource(file: string): void {
    this.analyzer.removeSource(file);
  }

  invalidate(file: string): void {
    this.analyzer.invalidate(file);
  }

  textOf(file: string): Promise<string | undefined> {
    return Promise.resolve(this.analyzer.textOf(file));
  }

  envAdd(file: string, text: string): void {
    this.analyzer.env.add(file, text);
  }

  envRemove(file: string): void {
    this.analyzer.env.remove(file);
  }

  envLookup(name: string, file: string, root: string): Promise<EnvHit | undefined> {
    return Promise.resolve(this.analyzer.env.lookup(name, file, root));
  }

  planFixes(
    findings: readonly Finding[],
    flow: PlannerFlow,
    texts: [string, string][],
    to: PlannerTarget = 'xoauth2',
  ): Promise<WorkerPlan | null> {
    const open = new Map(texts);
    const readFile = this.overlayReader((f) => open.get(f));
    return Promise.resolve().then(() =>
      typeof this.planner === 'function'
        ? this.isolate(this.planner, findings, { readFile, flow, to })
        : null,
    );
  }

  setupMarkdown(input: SetupInput): Promise<string | null> {
    const api = getSetupApi();
    return Promise.resolve(api ? api.setupMarkdown(api.setupScript(input)) : null);
  }

  verify(input: VerifyInput, c: VerifyCall = {}): Promise<VerifyOutcome | null> {
    const api = getVerifyApi();
    return api ? runVerify(api, input, c.signal, c.onEvent) : Promise.resolve(null);
  }

  dispose(): void {
    /* nothing to end */
  }
}
