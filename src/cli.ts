/**
 * `mail-oauth-migrate` — the CLI over the core.
 *   scan [paths...]   find password logins to Exchange Online / Outlook.com (exit 0 none, 1 findings, 2 error)
 * Exit code 2 is for usage and internal errors; messages go to stderr, reports to stdout or --output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
// Only light modules are imported eagerly: the analyzer (and the TypeScript compiler it brings, ~0.3 s
// to load) is loaded by a worker while this thread walks the workspace, or imported when needed.
import type { Analyzer, AnalyzerOptions } from './core/analyzer';
import type * as CliCore from './cli-core';
import type * as ExplainCli from './core/explain/cli';
import type * as InventoryCli from './core/inventory/cli';
import type * as McpCli from './core/mcp/cli';
import { EnvIndex } from './core/env';
import { allowForcedGc } from './core/gc';
import { ANALYSIS_HEAP_RETRIES_MB, ANALYZER_RESOURCE_LIMITS } from './worker-limits';
import { planIsolated } from './core/isolate';
import type { Finding, ScanResult, SkippedFile } from './core/model';
import { jsonReportChunks, relPath, toSarif, toText } from './core/report';
import { shareStrings } from './share-strings';
import {
  BACKLOG_BYTES,
  backlogTotal,
  collectCandidates,
  DEFAULT_MAX_FILE_SIZE,
  type ReadBatch,
  type ScanProgress,
  sortFindings,
} from './core/scanner';

const VERSION = '0.1.0';

const USAGE = `Usage: mail-oauth-migrate <command> [options]

Commands:
  scan [paths...]        Find mail code that logs in to Exchange Online / Outlook.com with a password.
  fix [paths...]         Rewrite those logins to OAuth2 (XOAUTH2) with tokens from @azure/msal-node.
  verify                 Check an app registration end to end (token, claims, TLS, XOAUTH2 login); see verify --help.
  setup [paths...]       Print the Entra checklist and Exchange Online PowerShell for your findings; see setup --help.
  inventory [paths...]   Link the mailboxes admins' reports show using Basic auth to the code; see inventory --help.
  mcp                    Serve the Model Context Protocol over stdio (scan, plan_fix, explain, setup) for AI agents.
  explain [text]         Explain a pasted SMTP/IMAP/POP reply, AADSTS or Graph error, or token, offline; see explain --help.

scan options:
  --format text|json|sarif   Output format (default: text)
  --output FILE              Write the report to FILE instead of stdout (written atomically)
  --max-file-size SIZE       Skip files larger than SIZE (bytes, or e.g. 2MB; default 1MB)
  --extra-host HOST          Treat HOST as a Microsoft mail endpoint (repeatable)
  --exclude GLOB             Skip paths matching a gitignore-style pattern (repeatable)
  --report-unresolved        Also report password logins whose host cannot be resolved (info)
  --no-progress              No progress line on stderr

fix options (plus the scan options above):
  --dry-run                  Plan and report, write nothing
  --diff                     Print a unified diff of every change on stdout (with --dry-run: preview)
  --flow auto|app|delegated  Token flow the generated provider uses by default (default: auto)
  --to xoauth2|graph         xoauth2 (default): OAuth2 on the same protocol. graph: send-only nodemailer
                             transports send through Microsoft Graph sendMail instead of SMTP

Exit codes: scan: 0 no findings, 1 findings, 2 usage or internal error.
            fix:  0 everything fixed (or nothing to fix), 1 findings left for manual work, 2 error or refused.
`;

class UsageError extends Error {}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m)?$/i.exec(s.trim());
  if (!m) {
    throw new UsageError(`--max-file-size: cannot read "${s}" (use bytes or e.g. 512KB, 2MB)`);
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Math.round(unit.startsWith('k') ? n * 1024 : unit.startsWith('m') ? n * 1024 * 1024 : n);
}

/** Writes via a temp file + rename so a reader never sees a half-written report. */
export function writeAtomic(file: string, text: string | Iterable<string>): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  if (typeof text === 'string') {
    fs.writeFileSync(tmp, text);
  } else {
    const fd = fs.openSync(tmp, 'w');
    try {
      writeChunks(text, (t) => fs.writeSync(fd, t));
    } finally {
      fs.closeSync(fd);
    }
  }
  fs.renameSync(tmp, file);
}

/** Writes pieces of text joined into writes of about 1 MB. */
function writeChunks(chunks: Iterable<string>, write: (text: string) => void): void {
  let buf: string[] = [];
  let size = 0;
  for (const c of chunks) {
    buf.push(c);
    if ((size += c.length) >= 1 << 20) {
      write(buf.join(''));
      buf = [];
      size = 0;
    }
  }
  if (buf.length) {
    write(buf.join(''));
  }
}

const SCAN_OPTIONS = {
  'max-file-size': { type: 'string' },
  'extra-host': { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'report-unresolved': { type: 'boolean', default: false },
  'no-progress': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

interface ScanValues {
  'max-file-size'?: string;
  'extra-host'?: string[];
  exclude?: string[];
  'report-unresolved'?: boolean;
  'no-progress'?: boolean;
}

/** dist/cli-core.js: the analyzer, fixes and verify, kept out of this small bundle (see src/cli-core.ts). */
const CORE_FILE = path.join(__dirname, 'cli-core.js');

function loadCore(): typeof CliCore {
  // A runtime path esbuild does not follow: the core stays a separate file, loaded on demand.
  const req = require;
  return req(CORE_FILE) as typeof CliCore;
}

/** A command bundled on its own (dist/<name>.js, see esbuild.js), loaded only when it runs. */
function loadBundle<T>(name: string): T {
  const req = require;
  return req(path.join(__dirname, `${name}.js`)) as T;
}

/**
 * Analysis threads: one by default. MAIL_OAUTH_SCAN_THREADS=2 adds a second one (from the first
 * candidate on; candidates go to the worker with less text waiting) on a machine with two cores or
 * more. Not the default: on the 2-core bench machine the one worker already shares the second core
 * with the reading thread and V8's concurrent GC, so a second one made the all-candidates tree no
 * faster (same wall time, +15 % CPU) and cost ~150 MB more (its own compiler and batch); see
 * bench/README.md.
 */
const MAX_ANALYSIS_WORKERS =
  Number(process.env.MAIL_OAUTH_SCAN_THREADS) >= 2 && os.availableParallelism() >= 2 ? 2 : 1;

/**
 * The scan worker's old-generation bound in MB (see src/worker-limits.ts); MAIL_OAUTH_SCAN_HEAP_MB
 * sets another one (tests use a tiny one to run out of memory on purpose).
 */
function heapBound(): number {
  const mb = Number(process.env.MAIL_OAUTH_SCAN_HEAP_MB);
  return Number.isInteger(mb) && mb > 0 ? mb : ANALYZER_RESOURCE_LIMITS.maxOldGenerationSizeMb;
}

/**
 * Walks and reads here while a worker loads the analyzer, then lets the worker analyse (with
 * MAIL_OAUTH_SCAN_THREADS=2, two workers: each candidate goes to the one with less text waiting).
 */
async function scanWithWorker(
  workerFile: string,
  root: string,
  paths: string[],
  options: AnalyzerOptions,
  signal: AbortSignal,
  onProgress: ((p: ScanProgress) => void) | undefined,
  maxOldGenerationSizeMb: number,
): Promise<ScanResult> {
  const started = performance.now();
  // Candidate text not analysed yet, per worker (see WorkerData.backlog in src/core/scan-worker.ts).
  const backlog = new Int32Array(new SharedArrayBuffer(4 * MAX_ANALYSIS_WORKERS));
  const workers: Worker[] = [];
  let fail: (e: Error) => void = () => undefined;
  let broken: Error | undefined;
  const failed = new Promise<never>((_, reject) => (fail = (e) => reject((broken ??= e))));
  failed.catch(() => undefined);
  // The workers send findings batch by batch (they keep none).
  const findings: Finding[] = [];
  const strings = new Map<string, string>();
  let envTexts: [string, string][] | undefined;
  const spawn = (): Worker => {
    const worker = new Worker(workerFile, {
      workerData: { mailOAuthScan: true, options, backlog, slot: workers.length },
      resourceLimits: { ...ANALYZER_RESOURCE_LIMITS, maxOldGenerationSizeMb },
    });
    worker.once('error', fail);
    worker.on('message', (m: { type: string; findings?: Finding[] }) => {
      if (m.type === 'findings') {
        m.findings?.forEach((f) => findings.push(shareStrings(f, strings)));
      }
    });
    if (envTexts) {
      worker.postMessage({ type: 'env', root, envTexts });
    }
    workers.push(worker);
    return worker;
  };
  const first = spawn();
  let waiting = 0;
  try {
    const env = new EnvIndex(options.envFiles);
    const collected = await collectCandidates(paths, {
      env,
      maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
      exclude: options.exclude,
      signal,
      onProgress,
      // The workers get the dotenv files first (analysis needs them), then parse and analyse each
      // candidate while this thread goes on reading...
      onEnv: (texts) => {
        envTexts = texts;
        workers.forEach((w) => w.postMessage({ type: 'env', root, envTexts: texts }));
      },
      onCandidate: (file, text) => {
        if (workers.length < MAX_ANALYSIS_WORKERS) {
          spawn();
        }
        let slot = 0;
        for (let i = 1; i < workers.length; i++) {
          if (Atomics.load(backlog, i) < Atomics.load(backlog, slot)) {
            slot = i;
          }
        }
        Atomics.add(backlog, slot, text.length);
        workers[slot].postMessage({ type: 'file', root, file, text });
      },
      // Reading waits while the workers are far behind: memory holds a few batches of text, not all.
      betweenChunks: async () => {
        while (backlogTotal(backlog) > BACKLOG_BYTES) {
          if (broken) {
            throw broken;
          }
          waiting++;
          await new Promise((r) => setTimeout(r, 5));
        }
      },
      // ...and the first one reads from the same list itself (2 cores), claiming chunks through the
      // shared counter.
      share: (files, counter) =>
        new Promise<ReadBatch>((resolve, reject) => {
          const onMessage = (m: { type: string; message?: string } & ReadBatch): void => {
            if (m.type === 'read-done') {
              first.off('message', onMessage);
              resolve(m);
            } else if (m.type === 'error') {
              reject(new Error(m.message));
            }
          };
          first.on('message', onMessage);
          failed.catch(reject);
          first.postMessage({
            type: 'read',
            root,
            files,
            counter,
            maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
          });
        }),
    });
    onProgress?.({ phase: 'analyze', done: 0, total: collected.texts.size });
    const cancelled = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => {
        const e = new Error('Scan cancelled');
        e.name = 'AbortError';
        reject(e);
      }),
    );
    cancelled.catch(() => undefined);
    const done = workers.map(
      (worker) =>
        new Promise<{ skipped: SkippedFile[]; batches: string[] }>((resolve, reject) => {
          worker.on(
            'message',
            (m: { type: string; skipped: SkippedFile[]; batches: string[]; message: string }) => {
              if (m.type === 'done') {
                resolve(m);
              } else if (m.type === 'error') {
                reject(new Error(m.message));
              }
            },
          );
          worker.postMessage({ type: 'run', root });
        }),
    );
    const analysed = await Promise.race([Promise.all(done), failed, cancelled]);
    if (process.env.MAIL_OAUTH_TIMING === '1') {
      process.stderr.write(
        analysed.flatMap((a, i) => a.batches.map((b) => `timing worker ${i + 1} analysed ${b}\n`)).join('') +
          `timing analysis workers ${workers.length}, reading waited ${waiting} time(s), main heap ${process.memoryUsage().heapUsed >> 20} MB\n`,
      );
    }
    onProgress?.({ phase: 'analyze', done: collected.texts.size, total: collected.texts.size });
    return {
      root,
      findings: sortFindings(findings),
      skipped: [...collected.skipped, ...analysed.flatMap((a) => a.skipped)].sort((a, b) =>
        a.file.localeCompare(b.file),
      ),
      stats: {
        files: collected.total,
        parsed: collected.texts.size,
        durationMs: Math.round(performance.now() - started),
      },
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Runs a scan with the shared options. `inProcess` keeps the analyzer here (fixes reuse its texts);
 * otherwise the analysis runs in a worker started right away.
 */
async function runScan(
  positionals: string[],
  values: ScanValues,
  inProcess: boolean,
): Promise<{ analyzer?: Analyzer; result: ScanResult }> {
  const paths = positionals.length ? positionals : ['.'];
  for (const p of paths) {
    if (!fs.existsSync(p)) {
      throw new UsageError(`no such file or folder: ${p}`);
    }
  }
  const root = path.resolve(
    paths.length === 1 && fs.statSync(paths[0]).isDirectory() ? paths[0] : process.cwd(),
  );
  const options: AnalyzerOptions = {
    maxFileSize: values['max-file-size'] ? parseSize(values['max-file-size']) : undefined,
    extraHosts: values['extra-host'],
    exclude: values.exclude,
    reportUnresolved: values['report-unresolved'],
  };
  const useWorker = !inProcess;
  const tty = process.stderr.isTTY && !values['no-progress'];
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let lastDraw = 0;
  // MAIL_OAUTH_TIMING=1 prints how long each phase took (used by the benchmark).
  const timing = process.env.MAIL_OAUTH_TIMING === '1';
  let phase = '';
  let phaseStart = performance.now();
  const onTiming = (p: { phase: string }): void => {
    if (p.phase !== phase) {
      if (phase) {
        process.stderr.write(`timing ${phase} ${Math.round(performance.now() - phaseStart)} ms\n`);
      }
      phase = p.phase;
      phaseStart = performance.now();
    }
  };
  const onProgress = timing
    ? onTiming
    : tty
      ? (p: ScanProgress): void => {
          const now = Date.now();
          if (now - lastDraw > 80 || p.done === p.total) {
            lastDraw = now;
            const msg =
              p.phase === 'walk'
                ? 'Listing files…'
                : `${p.phase === 'read' ? 'Reading' : 'Analysing'} ${p.done}/${p.total}`;
            process.stderr.write(`\r\x1b[K${msg}`);
          }
        }
      : undefined;
  try {
    if (useWorker) {
      // A worker that runs out of its bounded heap (a tree of unusually large modules) is not the end of
      // the scan: it runs again with a larger bound (ANALYSIS_HEAP_RETRIES_MB; nothing of the failed run is kept).
      const first = heapBound();
      const heaps = [first, ...ANALYSIS_HEAP_RETRIES_MB.filter((mb) => mb > first)];
      for (let i = 0; ; i++) {
        try {
          return {
            result: await scanWithWorker(
              path.join(__dirname, 'cli-worker.js'),
              root,
              paths,
              options,
              controller.signal,
              onProgress,
              heaps[i],
            ),
          };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY' || i + 1 >= heaps.length) {
            throw e;
          }
          process.stderr.write(
            `${tty ? '\r\x1b[K' : ''}note: the analysis ran out of its ${heaps[i]} MB heap; scanning again with ${heaps[i + 1]} MB\n`,
          );
        }
      }
    }
    const analyzer = new (loadCore().Analyzer)(root, options);
    return { analyzer, result: await analyzer.scan(paths, { signal: controller.signal, onProgress }) };
  } finally {
    if (timing) {
      onTiming({ phase: 'done' });
      process.stderr.write(`timing total ${Math.round(performance.now())} ms since process start\n`);
    }
    process.off('SIGINT', onSigint);
    if (tty) {
      process.stderr.write('\r\x1b[K');
    }
  }
}

async function fixCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SCAN_OPTIONS,
      'dry-run': { type: 'boolean', default: false },
      diff: { type: 'boolean', default: false },
      flow: { type: 'string', default: 'auto' },
      to: { type: 'string', default: 'xoauth2' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const flow = values.flow;
  if (flow !== 'auto' && flow !== 'app' && flow !== 'delegated') {
    throw new UsageError(`--flow must be auto, app or delegated (got "${flow}")`);
  }
  const to = values.to;
  if (to !== 'xoauth2' && to !== 'graph') {
    throw new UsageError(`--to must be xoauth2 or graph (got "${to}")`);
  }
  const { analyzer, result } = await runScan(positionals, values, true);
  const { planFixes, applyEdits, unifiedDiff, overlayReader } = loadCore();
  const readFile = overlayReader((f) => analyzer?.textOf(f));
  const plan = planIsolated(planFixes, result.findings, { readFile, flow, to });
  const log = (s: string): boolean => process.stderr.write(`${s}\n`);
  const rel = (f: string): string => relPath(result.root, f);
  if (values.diff) {
    process.stdout.write(unifiedDiff(plan.edits, result.root, readFile));
  }
  if (!result.findings.length) {
    log('No password logins to Exchange Online / Outlook.com found: nothing to fix.');
    return 0;
  }
  if (values['dry-run']) {
    log(
      `Dry run: ${plan.fixed.length} of ${result.findings.length} finding(s) can be fixed; ${plan.edits.length} file(s) would change (nothing written):`,
    );
    plan.edits.forEach((e) => log(`  ${e.create ? 'create' : 'modify'} ${rel(e.file)}`));
  } else if (plan.edits.length) {
    const applied = applyEdits(plan.edits);
    if (applied.refused.length) {
      log('Refused: nothing was written, because files changed since the scan:');
      applied.refused.forEach((r) => log(`  ${rel(r.file)}: ${r.reason}`));
      log('Run the fix again.');
      return 2;
    }
    log(
      `Fixed ${plan.fixed.length} of ${result.findings.length} finding(s); changed ${applied.written.length} file(s):`,
    );
    applied.written.forEach((f) => log(`  ${rel(f)}`));
  }
  if (plan.notFixed.length) {
    log('\nLeft for manual work:');
    plan.notFixed.forEach(({ finding, reason }) =>
      log(`  ${rel(finding.span.file)}:${finding.span.line} (${finding.library}): ${reason}`),
    );
  }
  if (plan.unusedEnvVars.length) {
    log(
      `\nNo longer used by the fixed code (remove from .env files and deployment secrets): ${plan.unusedEnvVars.join(', ')}`,
    );
  }
  if (plan.manualSteps.length) {
    log('\nBefore the new code can log in:');
    plan.manualSteps.forEach((s, i) => log(`  ${i + 1}. ${s}`));
  }
  return plan.notFixed.length ? 1 : 0;
}

async function scanCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      output: { type: 'string', short: 'o' },
      ...SCAN_OPTIONS,
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const format = values.format;
  if (!['text', 'json', 'sarif'].includes(format)) {
    throw new UsageError(`--format must be text, json or sarif (got "${format}")`);
  }
  const { result } = await runScan(positionals, values, false);
  // (the JSON report is written a finding at a time: see jsonReportChunks)
  const out =
    format === 'json'
      ? jsonReportChunks(result)
      : format === 'sarif'
        ? JSON.stringify(toSarif(result, VERSION), null, 2) + '\n'
        : toText(result, !values.output && process.stdout.isTTY) + '\n';
  if (values.output) {
    writeAtomic(values.output, out);
    process.stderr.write(`${result.findings.length} finding(s); report written to ${values.output}\n`);
  } else if (typeof out === 'string') {
    process.stdout.write(out);
  } else {
    writeChunks(out, (t) => process.stdout.write(t));
  }
  return result.findings.length ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  // The CLI owns its process: analysis batches may force garbage collections (see src/core/gc.ts).
  allowForcedGc();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return await scanCommand(rest);
      case 'fix':
        return await fixCommand(rest);
      case 'verify':
        return await loadCore().verifyCommand(rest);
      case 'setup':
        return await loadCore().setupCommand(rest);
      case 'inventory':
        return await loadBundle<typeof InventoryCli>('cli-inventory').inventoryCommand(rest, {
          scanOptions: SCAN_OPTIONS,
          scan: async (paths, values) => (await runScan(paths, values, false)).result,
          writeAtomic,
        });
      case 'mcp':
        return await loadBundle<typeof McpCli>('cli-mcp').mcpCommand(rest, { version: VERSION, loadCore });
      case 'explain':
        return loadBundle<typeof ExplainCli>('cli-explain').explainCommand(rest);
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`mail-oauth-migrate: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('mail-oauth-migrate: scan cancelled\n');
      return 2;
    }
    process.stderr.write(`mail-oauth-migrate: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mail-oauth-migrate: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
