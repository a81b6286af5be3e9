/**
 * Resource limits of the extension's analyzer worker (src/vscode/analyzer-client.ts). The worker shares
 * the extension host's process, so it cannot force garbage collections (that takes a process-wide V8
 * flag; see src/core/gc.ts): a bounded old generation makes V8 collect before the heap grows far past
 * what is alive. A workspace scan holds a batch of parses (tens of MB) plus the findings so far (a few KB
 * each, with their fix hints), well under the bound; a worker that still runs out of memory ends with an
 * error and is started again on the next request (src/vscode/folders.ts).
 */
export const ANALYZER_RESOURCE_LIMITS = {
  maxOldGenerationSizeMb: 384,
  maxYoungGenerationSizeMb: 24,
} as const;
