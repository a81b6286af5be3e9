/**
 * The heavy half of the CLI (analyzer, TypeScript compiler, fixes, MSAL), bundled separately as
 * dist/cli-core.js so `mail-oauth-migrate` starts fast: the commands that need it load it on demand. The
 * scan's worker loads the smaller dist/scan-core.js instead (src/scan-core.ts).
 */

export { Analyzer } from './core/analyzer';
export { planFixes } from './core/fix-guard';
export { applyEdits, overlayReader, unifiedDiff } from './core/fixes/apply';
export { setupCommand } from './core/setup/cli';
export { verifyCommand } from './core/verify/cli';
