/**
 * Resource limits of the analysis workers: the CLI's scan worker (src/cli.ts) and the extension's analyzer
 * worker (src/vscode/analyzer-client.ts). A bounded old generation makes V8 collect before the heap grows
 * far past what is alive, without forcing collections: a forced full collection between batches cost the
 * CLI's all-candidates scan a third more CPU (88 s against 62 s wall on the bench machine), and in the
 * extension it is not possible at all (it takes a process-wide V8 flag; see src/core/gc.ts).
 *
 * A scan holds a batch of parses and its checker (tens of MB, up to ~150 MB on a tree where every file is
 * a candidate) and posts each batch's findings to its parent, so it stays under the bound: the largest live
 * heap after a full collection on the bench's all-candidates tree (50,000 candidates) was ~140 MB in the
 * CLI's scan worker, which also holds up to 12 MB of text read ahead; that worker ran out of memory with a
 * 192 MB bound. 256 MB keeps the extension host's process under 500 MB on that tree (478 MB; 506 MB with
 * 320, 518 MB with 384). A worker that still runs out of memory ends with an error: the CLI scans again
 * with a larger bound (ANALYSIS_HEAP_RETRIES_MB), the extension starts its worker again on the next
 * request (src/vscode/folders.ts).
 */
export const ANALYZER_RESOURCE_LIMITS = {
  maxOldGenerationSizeMb: 256,
  maxYoungGenerationSizeMb: 24,
} as const;

/** Old-generation bounds the CLI's scan worker is given after running out of memory, in turn. */
export const ANALYSIS_HEAP_RETRIES_MB = [512, 1024] as const;
