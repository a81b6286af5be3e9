/**
 * Resource limits of the extension's analyzer worker (src/vscode/analyzer-client.ts). The worker shares
 * the extension host's process, so it cannot force garbage collections (that takes a process-wide V8
 * flag; see src/core/gc.ts): a bounded old generation makes V8 collect before the heap grows far past
 * what is alive. A workspace scan holds a batch of parses and its checker (tens of MB, up to ~150 MB on a
 * tree where every file is a candidate) and posts each batch's findings to the host, so it stays under the
 * bound; a worker that still runs out of memory ends with an error and is started again on the next
 * request (src/vscode/folders.ts). 256 MB keeps the process hosting the worker under 500 MB on the bench's
 * all-candidates tree (50,000 candidates: 478 MB; 506 MB with 320, 518 MB with 384). Headroom: the
 * largest live heap after a full collection there was ~140 MB in the CLI's scan worker, which also holds
 * up to 12 MB of text read ahead; that worker ran out of memory with a 192 MB bound.
 */
export const ANALYZER_RESOURCE_LIMITS = {
  maxOldGenerationSizeMb: 256,
  maxYoungGenerationSizeMb: 24,
} as const;
