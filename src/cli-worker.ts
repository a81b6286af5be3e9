/**
 * Entry of the CLI's scan worker (dist/cli-worker.js, a few KB): loads dist/cli-core.js through the V8
 * code cache and serves the scan (see src/core/scan-worker.ts).
 */
import * as path from 'node:path';
import type * as CliCore from './cli-core';
import { requireWithCodeCache } from './core/code-cache';

const { exports, saveCache } = requireWithCodeCache(path.join(__dirname, 'cli-core.js'), 'cli');
(exports as typeof CliCore).startScanWorker(saveCache);
