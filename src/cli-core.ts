/**
 * The heavy half of the CLI (analyzer, TypeScript compiler, fixes, MSAL), bundled separately as
 * dist/cli-core.js so `mail-oauth-migrate` starts fast: the scan loads it in a worker thread while
 * the main thread walks the workspace, the other commands load it when they need it.
 */
import { isMainThread } from 'node:worker_threads';
import { startScanWorker } from './core/scan-worker';

export { Analyzer } from './core/analyzer';
export { planFixes } from './core/fixes';
export { applyEdits, unifiedDiff } from './core/fixes/apply';
export { setupCommand } from './core/setup/cli';
export { verifyCommand } from './core/verify/cli';

if (!isMainThread) {
  startScanWorker();
}
