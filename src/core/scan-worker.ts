/**
 * Worker-thread side of the CLI scan: loads the analyzer (and the TypeScript compiler, ~0.3 s) while
 * the main thread walks and reads the workspace, then analyses the candidates it is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer, type AnalyzerOptions } from './analyzer';

export interface WorkerJob {
  root: string;
  texts: [string, string][];
  envTexts: [string, string][];
}

interface WorkerData {
  options: Omit<AnalyzerOptions, 'now'>;
}

/** Serves scan jobs from the parent thread (the CLI); see src/cli-core.ts. */
export function startScanWorker(): void {
  const port = parentPort;
  if (!port) {
    return;
  }
  const { options } = workerData as WorkerData;
  // Constructing the analyzer here (not on the first message) is what pulls the compiler in early.
  let analyzer: Analyzer | undefined;
  const ready = (root: string): Analyzer => (analyzer ??= new Analyzer(root, options));
  port.postMessage({ type: 'loaded' });
  port.on('message', (job: WorkerJob) => {
    const a = ready(job.root);
    job.envTexts.forEach(([f, t]) => a.env.add(f, t));
    a.analyzeCandidates(new Map(job.texts)).then(
      (r) => port.postMessage({ type: 'done', ...r }),
      (e: Error) => port.postMessage({ type: 'error', message: e.stack ?? e.message }),
    );
  });
}
