/**
 * The heavy half of the CLI (analyzer, TypeScript compiler, fixes, MSAL), bundled separately as
 * dist/cli-core.js so `mail-oauth-migrate` starts fast: the scan loads it in a worker thread (src/cli-worker.ts) while
 * the main thread walks the workspace, the other commands load it when they need it.
 */

export { Analyzer } from './core/analyzer';
export { planFixes } from './core/fixes';
export { applyEdits, overlayReader, unifiedDiff } from './core/fixes/apply';
export { setupCommand } from './core/setup/cli';
export { verifyCommand } from './core/verify/cli';
export { startScanWorker } from './core/scan-worker';
