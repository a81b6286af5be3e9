/**
 * Worker-thread side of the CLI scan: loads the analyzer (and the TypeScript compiler, ~0.3 s) while
 * the main thread walks and reads the workspace, then analyses the candidates it is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer, type AnalyzerOptions } from './analyzer';
import { readBatch } from './scanner';

/** Messages from the CLI: candidates one by one as they are read, then the run. */
export type WorkerMessage =
  | { type: 'file'; root: string; file: string; text: string }
  | { type: 'read'; root: string; files: string[]; maxFileSize: number }
  | { type: 'run'; root: string; files: string[]; envTexts: [string, string][] };

interface WorkerData {
  /** Marks a worker started by the CLI scan (cli-core.js may be loaded in other workers too). */
  mailOAuthScan: true;
  options: Omit<AnalyzerOptions, 'now'>;
}

/** Serves scan jobs from the parent thread (the CLI); see src/cli-core.ts. */
export function startScanWorker(onAnalysed?: () => void): void {
  const port = parentPort;
  const data = workerData as WorkerData | undefined;
  if (!port || !data?.mailOAuthScan) {
    return;
  }
  const { options } = data;
  // Constructing the analyzer here (not on the first message) is what pulls the compiler in early.
  let analyzer: Analyzer | undefined;
  const ready = (root: string): Analyzer => (analyzer ??= new Analyzer(root, options));
  port.postMessage({ type: 'loaded' });
  const texts = new Map<string, string>();
  port.on('message', (msg: WorkerMessage) => {
    const a = ready(msg.root);
    if (msg.type === 'file') {
      texts.set(msg.file, msg.text);
      a.preparse(msg.file, msg.text);
      return;
    }
    if (msg.type === 'read') {
      // The tail of the file list, read here while the main thread reads the head.
      const r = readBatch(msg.files, msg.maxFileSize, (f, t) => {
        texts.set(f, t);
        a.preparse(f, t);
      });
      port.postMessage({ type: 'read-done', ...r });
      return;
    }
    msg.envTexts.forEach(([f, t]) => a.env.add(f, t));
    a.analyzeCandidates(new Map(msg.files.map((f) => [f, texts.get(f) ?? '']))).then(
      (r) => {
        // Write the V8 code cache of this bundle (first run only) now that the analysis has compiled
        // its functions (see src/core/code-cache.ts).
        onAnalysed?.();
        port.postMessage({ type: 'done', ...r });
      },
      (e: Error) => port.postMessage({ type: 'error', message: e.stack ?? e.message }),
    );
  });
}
