/**
 * A full garbage collection between analysis batches of a scan in the CLI's main thread (`fix` analyses in
 * process; its heap is not bounded). V8 lets the heap grow well past what is alive before it collects:
 * each batch leaves its parses and checker (tens of MB) behind as garbage, and without a collection here
 * the heap of a long scan swings up to several times its live size.
 *
 * Forcing a collection takes `--expose-gc`, a V8 flag, and V8 flags are per process: the CLI owns its
 * process and turns this on (allowForcedGc). The analysis workers (the CLI's scan worker, the extension's
 * analyzer worker) never force one: their heaps are bounded by resourceLimits instead, which costs far less
 * CPU (see src/worker-limits.ts).
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Shared by every bundle loaded in one thread (dist/cli.js and dist/cli-core.js each carry this module). */
const ALLOWED = Symbol.for('mail-oauth-migrator.forced-gc');

/** V8's gc() with --expose-gc: a full synchronous collection, or as the options say. */
type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

let gc: Gc | undefined | null = null;

/** Lets collectGarbage force collections in this thread: only for a process the CLI owns. */
export function allowForcedGc(): void {
  (globalThis as Record<symbol, unknown>)[ALLOWED] = true;
}

/** Collects now when forced collections are allowed and more than `aboveMb` of heap is in use. */
export function collectGarbage(aboveMb = 96): void {
  if (
    !(globalThis as Record<symbol, unknown>)[ALLOWED] ||
    process.memoryUsage().heapUsed < aboveMb * 1024 * 1024
  ) {
    return;
  }
  if (gc === null) {
    const global = globalThis as { gc?: Gc };
    try {
      // --expose-gc gives `gc` to the contexts made after it (the usual way to get it at run time).
      v8.setFlagsFromString('--expose-gc');
      gc = global.gc ?? (vm.runInNewContext('gc') as Gc);
    } catch {
      gc = undefined;
    }
  }
  // Started, not waited for: V8 marks incrementally (and on its helper threads) while the next batch
  // runs. A synchronous forced collection also reduces memory the hard way: it drops optimized code
  // whose embedded objects died, so the compiler re-optimized the same functions batch after batch
  // (7,614 optimizations on a 12,853-file all-candidates tree against 4,136; CPU 40 s → 25 s).
  gc?.({ type: 'major', execution: 'async' });
}
