/**
 * The CLI scan worker's payload (dist/scan-core.js): the analyzer and the TypeScript compiler, nothing
 * else. Kept apart from dist/cli-core.js (fixes, ts-morph, MSAL, verify) so the worker on a scan's
 * critical path loads and initialises as little as possible (see src/cli-worker.ts).
 */
export { startScanWorker } from './core/scan-worker';
