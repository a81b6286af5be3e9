/**
 * Worker-thread side of the CLI scan: loads the analyzer (and the TypeScript compiler, ~0.2 s) while
 * the main thread walks the workspace, then reads files from the same list as the main thread and
 * analyses candidates as they turn up (its own and those the main thread sends), so that little is
 * left to do once the last file is read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer, Batch, type AnalyzerOptions } from './analyzer';
import type { Finding, SkippedFile } from './model';
import { BACKLOG_BYTES, backlogTotal, PREPARSE_BYTES, readClaimed } from './scanner';

/** Messages from the CLI: the dotenv files, candidates as the main thread reads them, the shared read, the end. */
export type WorkerMessage =
  | { type: 'env'; root: string; envTexts: [string, string][] }
  | { type: 'file'; root: string; file: string; text: string }
  | { type: 'read'; root: string; files: string[]; counter: Int32Array; maxFileSize: number }
  | { type: 'run'; root: string };

interface WorkerData {
  /** Marks a worker started by the CLI scan (cli-core.js may be loaded in other workers too). */
  mailOAuthScan: true;
  options: Omit<AnalyzerOptions, 'now'>;
  /**
   * Candidate text given to each analysis worker (read by it, or sent by the CLI) but not analysed
   * yet, in UTF-16 code units, one slot per worker: this worker reads no further while its own slot
   * is over BACKLOG_BYTES, and the CLI sends each candidate to the worker with the smaller backlog.
   */
  backlog: Int32Array;
  /** This worker's slot in `backlog`. */
  slot: number;
}

/**
 * A finding as the scan report uses it: the fix planner's hints (spans of the config, the auth and
 * the password property, the user expression; about 40 % of a finding) are left out. Only `fix` and
 * the MCP/editor paths plan fixes, and they analyse in their own process with the hints intact.
 */
export function reportOnly(f: Finding): Finding {
  const { moduleStyle, passwordEnvVars, framework, manual, viaUrl, service } = f.fix;
  return {
    ...f,
    fix: {
      moduleStyle,
      passwordEnvVars,
      ...(framework !== undefined ? { framework } : {}),
      ...(manual !== undefined ? { manual } : {}),
      ...(viaUrl !== undefined ? { viaUrl } : {}),
      ...(service !== undefined ? { service } : {}),
    },
  };
}

const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** Serves scan jobs from the parent thread (the CLI); see src/cli.ts scanWithWorker. */
export function startScanWorker(onAnalysed?: () => void): void {
  const port = parentPort;
  const data = workerData as WorkerData | undefined;
  if (!port || !data?.mailOAuthScan) {
    return;
  }
  const { options, slot, backlog } = data;
  // Constructing the analyzer here (not on the first message) is what pulls the compiler in early.
  let analyzer: Analyzer | undefined;
  const ready = (root: string): Analyzer => (analyzer ??= new Analyzer(root, options));
  port.postMessage({ type: 'loaded' });

  const skipped: SkippedFile[] = [];
  // How the analysis went, batch by batch (MAIL_OAUTH_TIMING=1 makes the CLI print it).
  const batches: string[] = [];
  // Candidates not analysed yet; analysis waits for the dotenv files (process.env values need them).
  const pending = new Batch();
  let envReady = false;
  // One analysis at a time, in arrival order, a bounded batch at a time: each batch's texts, parses and
  // program are released after it, and its findings go to the CLI at once (memory stays bounded).
  let queue = Promise.resolve();
  let queued = false;
  const analysePending = (a: Analyzer): Promise<void> => {
    if (!queued) {
      queued = true;
      queue = queue.then(async () => {
        // Let the messages that arrived meanwhile join this batch.
        await tick();
        queued = false;
        while (pending.size) {
          const batch = pending.take();
          const t0 = performance.now();
          const r = await a.analyzeCandidates(batch);
          // (no forced collection: the worker's bounded heap makes V8 collect; see worker-limits.ts)
          a.release(batch.keys());
          const mem = process.memoryUsage();
          batches.push(
            `${batch.size} file(s) in ${Math.round(performance.now() - t0)} ms (parsed ${a.counts.parsed}, passes ${a.counts.passes}, later ${a.counts.laterPasses} so far; worker heap ${mem.heapUsed >> 20} of ${mem.heapTotal >> 20} MB, process RSS ${mem.rss >> 20} MB)`,
          );
          // (posting copies the findings: their strings then keep no source text alive)
          port.postMessage({ type: 'findings', findings: r.findings.map(reportOnly) });
          let bytes = 0;
          batch.forEach((t) => (bytes += t.length));
          Atomics.sub(backlog, slot, bytes);
          skipped.push(...r.skipped);
          // The V8 code cache of this bundle (when it had none: first run after a build) is written once
          // the first batch has compiled the analysis's functions, not at the end of the scan: a cache
          // written after a long scan (50,000 candidates) made every later small scan slower and larger
          // (repos tree 0.62 → 0.80 s, 100 → 135 MB peak). Later calls do nothing (see code-cache.ts).
          onAnalysed?.();
        }
      });
    }
    return queue;
  };
  /** `read`: read by this thread (the CLI counts what it sends itself in the backlog). */
  const add = (a: Analyzer, file: string, text: string, read = false): void => {
    if (read) {
      Atomics.add(backlog, slot, text.length);
    }
    // Parsed ahead while the analysis is behind by less than PREPARSE_BYTES (the parse is then ready
    // when the analysis gets there); past that, the text waits unparsed.
    if (pending.bytes < PREPARSE_BYTES) {
      a.preparse(file, text);
    }
    pending.add(file, text);
    if (envReady) {
      void analysePending(a);
    }
  };

  port.on('message', (msg: WorkerMessage) => {
    const a = ready(msg.root);
    switch (msg.type) {
      case 'env':
        msg.envTexts.forEach(([f, t]) => a.env.add(f, t));
        envReady = true;
        void analysePending(a);
        return;
      case 'file':
        add(a, msg.file, msg.text);
        return;
      case 'read':
        // Chunks of the file list, claimed through the shared counter like the main thread does;
        // between chunks, the analysis of what turned up so far gets its turn.
        readClaimed(
          msg.files,
          msg.counter,
          msg.maxFileSize,
          (f, t) => add(a, f, t, true),
          async () => {
            await tick();
            // (all the workers' text waiting: this one reads no further while it is over BACKLOG_BYTES)
            while (backlogTotal(backlog) > BACKLOG_BYTES && pending.size) {
              await analysePending(a);
            }
          },
        ).then(
          (r) => port.postMessage({ type: 'read-done', ...r }),
          (e: Error) => port.postMessage({ type: 'error', message: e.stack ?? e.message }),
        );
        return;
      case 'run':
        envReady = true;
        analysePending(a).then(
          () => {
            // (a scan without candidates writes the cache here)
            onAnalysed?.();
            const envFindings = a.envFindings();
            if (envFindings.length) {
              port.postMessage({ type: 'findings', findings: envFindings.map(reportOnly) });
            }
            port.postMessage({ type: 'done', skipped, batches });
          },
          (e: Error) => port.postMessage({ type: 'error', message: e.stack ?? e.message }),
        );
    }
  });
}
