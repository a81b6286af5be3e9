/**
 * A full garbage collection between analysis batches. V8 lets the heap grow well past what is alive
 * before it collects: each batch leaves its parses and checker (tens of MB) behind as garbage, and
 * without a collection here the heap of a long scan swings up to several times its live size.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | undefined | null = null;

/** Collects now when more than `aboveMb` of heap is in use (small scans pay nothing). */
export function collectGarbage(aboveMb = 96): void {
  if (process.memoryUsage().heapUsed < aboveMb * 1024 * 1024) {
    return;
  }
  if (gc === null) {
    const global = globalThis as { gc?: () => void };
    try {
      // --expose-gc gives `gc` to the contexts made after it (the usual way to get it at run time).
      v8.setFlagsFromString('--expose-gc');
      gc = global.gc ?? (vm.runInNewContext('gc') as () => void);
    } catch {
      gc = undefined;
    }
  }
  gc?.();
}
