// The extension's workspace scan outside VS Code (issue 10): the analyzer worker (dist/analyzer-worker.js)
// started as src/vscode/analyzer-client.ts starts it (same workerData and resource limits), asked to scan
// one tree, as the Scan Workspace command does for a folder. Prints the time, the findings and the peak
// RSS of this process (VmHWM: the process that hosts the worker, as the extension host does).
//
//   npm run build && node bench/extension-scan.mjs [tree]     (default: the all-candidates tree)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// the host's own helper, from the TypeScript source (tsx is a dev dependency)
const { register } = await import('tsx/esm/api');
register();
const { shareStrings } = await import('../src/share-strings.ts');
const require = createRequire(import.meta.url);

const vmHwmMb = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
};

/** Scans `tree` in a fresh analyzer worker; resolves with { ms, findings, skipped, peakRssMB }. */
export async function extensionScan(tree) {
  const workerFile = path.join(ROOT, 'dist', 'analyzer-worker.js');
  // The limits the extension gives its worker (src/worker-limits.ts), read from the bundle.
  const { ANALYZER_RESOURCE_LIMITS: resourceLimits } = require(workerFile);
  const worker = new Worker(workerFile, {
    workerData: { mailOAuthAnalyzer: true, root: tree, options: {} },
    resourceLimits,
  });
  try {
    const t0 = performance.now();
    const posted = [];
    const strings = new Map();
    const result = await new Promise((resolve, reject) => {
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`analyzer worker exited (code ${code})`)));
      worker.on('message', (m) => {
        if (m.type === 'loaded') {
          worker.postMessage({ type: 'call', id: 1, method: 'scan', args: [[tree]] });
        } else if (m.type === 'findings') {
          // posted batch by batch during the scan; kept as the extension host keeps them
          // (src/vscode/analyzer-client.ts: one copy of each repeated string)
          for (const f of m.findings) {
            posted.push(shareStrings(f, strings));
          }
        } else if (m.type === 'result') {
          resolve(m.value);
        } else if (m.type === 'error') {
          reject(new Error(m.message));
        }
      });
    });
    return {
      ms: performance.now() - t0,
      findings: posted.length + result.findings.length,
      skipped: result.skipped.length,
      peakRssMB: vmHwmMb(),
      resourceLimits: resourceLimits ?? null,
    };
  } finally {
    await worker.terminate();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tree = path.resolve(process.argv[2] ?? path.join(ROOT, 'bench', '.cache', 'all-candidates'));
  const r = await extensionScan(tree);
  console.log(
    `extension workspace scan of ${tree}: ${(r.ms / 1000).toFixed(1)} s, ${r.findings} findings, ${r.skipped} skipped, peak RSS ${r.peakRssMB?.toFixed(0)} MB (worker limits ${JSON.stringify(r.resourceLimits)})`,
  );
  console.log(JSON.stringify(r));
}
