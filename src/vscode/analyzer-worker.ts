/**
 * Worker-thread side of the extension's analyzer (bundled as dist/analyzer-worker.js; never imports
 * `vscode`). It loads the core (dist/analyzer.js: ts-morph + TypeScript) off the extension host thread,
 * holds one warm Analyzer for one workspace folder, and serves the calls of src/vscode/analyzer-client.ts.
 *
 * Protocol: the client sends `{ type: 'call', id, method, args }` and `{ type: 'cancel', id }`; the worker
 * answers `{ type: 'loaded', ms, hasPlanner, fixable }` once, then `result` / `error` / `progress` by id.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { requireWithCodeCache } from '../core/code-cache';
import { overlayReader } from '../core/fixes/read';
import type * as Core from '../core/index';
import { planIsolated } from '../core/isolate';
import type { Finding } from '../core/model';
import { runVerify, type VerifyEvent, type VerifyOutcome } from './verify-run';

// The extension's limits for this worker, also read from the bundle by bench/extension-scan.mjs.
export { ANALYZER_RESOURCE_LIMITS } from '../worker-limits';

type CoreModule = typeof Core;

export interface AnalyzerWorkerData {
  mailOAuthAnalyzer: true;
  root: string;
  options: Omit<Core.AnalyzerOptions, 'now'>;
}

export type ClientMessage =
  | { type: 'call'; id: number; method: string; args: unknown[] }
  | { type: 'cancel'; id: number };

export type WorkerReply =
  | { type: 'loaded'; ms: number; hasPlanner: boolean; fixable: string[] }
  | { type: 'result'; id: number; value: unknown; ms: number }
  | { type: 'error'; id: number; name: string; message: string; stack?: string }
  | { type: 'progress'; id: number; progress: Core.ScanProgress }
  | { type: 'findings'; id: number; findings: Finding[] }
  | { type: 'event'; id: number; event: VerifyEvent };

/** Calls that do not touch the analyzer run beside the queue: a verification may wait minutes for a sign-in. */
const UNQUEUED = new Set(['verify']);

/** Set when the core was compiled without a usable V8 code cache: writes one (after the first analysis). */
let saveCodeCache: (() => void) | undefined;

/** dist/analyzer.js through the V8 code cache (src/core/code-cache.ts); undefined from sources. */
function loadBundledCore(): CoreModule | undefined {
  const file = path.join(__dirname, 'analyzer.js');
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const loaded = requireWithCodeCache(file, 'ext');
  saveCodeCache = loaded.saveCache
    ? () => {
        saveCodeCache = undefined;
        loaded.saveCache?.();
      }
    : undefined;
  return loaded.exports as CoreModule;
}

function requireCore(): CoreModule {
  try {
    const bundled = loadBundledCore();
    if (bundled) {
      return bundled;
    }
  } catch {
    /* fall back to a plain require */
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./analyzer') as CoreModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'MODULE_NOT_FOUND' || !/['"]\.\/analyzer['"]/.test(err.message)) {
      throw e;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', 'core', 'index')) as CoreModule;
}

function start(): void {
  const port = parentPort;
  const data = workerData as AnalyzerWorkerData | undefined;
  if (!port || !data?.mailOAuthAnalyzer) {
    return;
  }
  const t0 = performance.now();
  const core = requireCore();
  const analyzer = new core.Analyzer(data.root, data.options);
  const fixable = core.FIXABLE_LIBRARIES ? [...core.FIXABLE_LIBRARIES] : [];
  port.postMessage({
    type: 'loaded',
    ms: performance.now() - t0,
    hasPlanner: typeof core.planFixes === 'function',
    fixable,
  } satisfies WorkerReply);

  const aborts = new Map<number, AbortController>();
  const cancelled = new Set<number>();
  /** Runs a cancellable call: a `cancel` message for `id` aborts its signal (also when it came first). */
  const withAbort = async <T>(id: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const abort = new AbortController();
    if (cancelled.delete(id)) {
      abort.abort();
    }
    aborts.set(id, abort);
    try {
      return await run(abort.signal);
    } finally {
      aborts.delete(id);
    }
  };
  const methods: Record<string, (id: number, ...args: never[]) => unknown> = {
    analyzeText: (_id, file: string, text: string) => analyzer.analyzeText(file, text),
    setSource: (_id, file: string, text: string) => analyzer.setSource(file, text),
    removeSource: (_id, file: string) => analyzer.removeSource(file),
    invalidate: (_id, file: string) => analyzer.invalidate(file),
    textOf: (_id, file: string) => analyzer.textOf(file),
    envAdd: (_id, file: string, text: string) => analyzer.env.add(file, text),
    envRemove: (_id, file: string) => analyzer.env.remove(file),
    envFilesAmong: (_id, files: string[]) => files.filter((f) => analyzer.env.isEnvFile(path.basename(f))),
    envLookup: (_id, name: string, file: string, root: string) => analyzer.env.lookup(name, file, root),
    scan: (id, paths: string[]) =>
      withAbort(id, (signal) =>
        analyzer.scan(paths, {
          signal,
          onProgress: (progress) =>
            port.postMessage({ type: 'progress', id, progress } satisfies WorkerReply),
          // a batch at a time: the worker keeps no finding of a scan (memory stays bounded)
          onFindings: (findings) => {
            if (findings.length) {
              port.postMessage({ type: 'findings', id, findings } satisfies WorkerReply);
            }
          },
        }),
      ),
    setupMarkdown: (_id, input: Parameters<CoreModule['setupScript']>[0]) =>
      typeof core.setupScript === 'function' && typeof core.setupMarkdown === 'function'
        ? core.setupMarkdown(core.setupScript(input))
        : null,
    verify: (id, input: Parameters<typeof runVerify>[1]): Promise<VerifyOutcome | null> | null =>
      typeof core.verify !== 'function'
        ? null
        : withAbort(id, (signal) =>
            runVerify(core, input, signal, (event) =>
              port.postMessage({ type: 'event', id, event } satisfies WorkerReply),
            ),
          ),
    planFixes: (
      _id,
      findings: Finding[],
      flow: 'auto' | 'app' | 'delegated',
      texts: [string, string][],
      to: 'xoauth2' | 'graph' = 'xoauth2',
    ) => {
      if (typeof core.planFixes !== 'function') {
        return null;
      }
      const open = new Map(texts);
      const readFile = overlayReader((f) => open.get(f));
      return planIsolated(core.planFixes, findings, { readFile, flow, to });
    },
  };

  let queue: Promise<unknown> = Promise.resolve();
  port.on('message', (msg: ClientMessage) => {
    if (msg.type === 'cancel') {
      const abort = aborts.get(msg.id);
      if (abort) {
        abort.abort();
      } else {
        cancelled.add(msg.id); // still queued
      }
      return;
    }
    const fn = methods[msg.method];
    const { id } = msg;
    let started = 0;
    const run = (): unknown => {
      if (!fn) {
        throw new Error(`unknown analyzer method ${msg.method}`);
      }
      started = performance.now();
      return fn(id, ...(msg.args as never[]));
    };
    // One call at a time, in order: a source or dotenv update sent during a scan applies after it, as it
    // did when the analyzer ran on the extension host (its scan is not atomic otherwise: it awaits I/O).
    const done = UNQUEUED.has(msg.method) ? Promise.resolve().then(run) : (queue = queue.then(run));
    queue = queue.catch(() => undefined);
    void done.then(
      (value) => {
        port.postMessage({
          type: 'result',
          id,
          value,
          ms: performance.now() - started,
        } satisfies WorkerReply);
        if (saveCodeCache && (msg.method === 'analyzeText' || msg.method === 'scan')) {
          // the cache now holds the functions the analysis compiled
          setTimeout(() => saveCodeCache?.(), 1000);
        }
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        port.postMessage({
          type: 'error',
          id,
          name: err.name,
          message: err.message,
          stack: err.stack,
        } satisfies WorkerReply);
      },
    );
  });
}

start();
