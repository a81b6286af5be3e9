/**
 * Entry of the CLI's scan worker (dist/cli-worker.js, a few KB): loads dist/scan-core.js through the V8
 * code cache and serves the scan (see src/core/scan-worker.ts).
 */
import * as path from 'node:path';
import { requireWithCodeCache } from './core/code-cache';
import type * as ScanCore from './scan-core';

const { exports, saveCache } = requireWithCodeCache(path.join(__dirname, 'scan-core.js'), 'scan');
(exports as typeof ScanCore).startScanWorker(saveCache);
