/**
 * The cheap half of a scan, free of the TypeScript compiler: walk the workspace, read every source
 * once, keep the files that name a watched package in an import position (plus files importing
 * those), and collect the dotenv files. The CLI runs this while a worker loads the analyzer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvIndex } from './env';
import { throwIfAborted, walk } from './files';
import type { SkippedFile } from './model';
import { WATCHED_PACKAGES } from './rule-meta';

export interface ScanProgress {
  phase: 'walk' | 'read' | 'analyze';
  done: number;
  total: number;
  file?: string;
}

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
}

export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * A watched package named in an import position: `require('imap')`, `from "nodemailer"`,
 * `import('imapflow/x')`, `import 'emailjs'`. Plain strings such as `protocol: 'imap'` do not count.
 */
const PREFILTER = new RegExp(
  `(?:\\bfrom\\s*|\\brequire\\s*\\(\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+)['"\`](?:${WATCHED_PACKAGES.map(escapeRe).join('|')})(?:/[^'"\`]*)?['"\`]`,
);
const RELATIVE_SPEC = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** True when a file's text mentions one of the watched packages as a module specifier. */
export function mentionsWatchedPackage(text: string): boolean {
  return PREFILTER.test(text);
}

/** Heuristic for minified bundles: long average lines in a non-trivial file. */
export function looksMinified(text: string): boolean {
  if (text.length < 4000) {
    return false;
  }
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    lines++;
  }
  return text.length / lines > 300;
}

export type ReadOutcome = { text: string } | { skip: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a source file with the guards every scan applies (size, binary, encoding, minified). */
export function classifyBuffer(buf: Buffer, file: string, maxSize: number): ReadOutcome {
  if (buf.length > maxSize) {
    return { skip: `larger than ${formatBytes(maxSize)} (${formatBytes(buf.length)})` };
  }
  if (buf.subarray(0, 8000).includes(0)) {
    return { skip: 'binary file' };
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    return { skip: 'not valid UTF-8' };
  }
  if (/\.min\.[cm]?js$/i.test(file) || looksMinified(text)) {
    return { skip: 'minified' };
  }
  return { text };
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB` : `${Math.round(n / 1024)} KB`;
}

/** Reads one source with the size guard and the cheap byte-level pre-filter. */
/** One read buffer reused for every file: no per-file allocation, far less garbage and peak memory. */
let scratch = Buffer.allocUnsafe(256 * 1024);

export function readCandidate(file: string, maxFileSize: number): ReadOutcome | { specs: string[] } | 'skip-minified-name' {
  let buf: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > maxFileSize) {
        return { skip: `larger than ${formatBytes(maxFileSize)} (${formatBytes(size)})` };
      }
      if (size > scratch.length) {
        scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
      }
      buf = scratch;
      let off = 0;
      while (off < size) {
        const n = fs.readSync(fd, buf, off, size - off, off);
        if (n === 0) {
          break;
        }
        off += n;
      }
      buf = buf.subarray(0, off);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { skip: `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  // Every watched package name contains "mail", "imap" or one of the POP3 names: a few memchr-speed
  // scans decide for almost every file before anything is decoded ("pop" alone would match `.pop()`).
  const minifiedName = /\.min\.[cm]?js$/i.test(file);
  if (minifiedName) {
    return 'skip-minified-name';
  }
  if (!NEEDLES.some((n) => buf.indexOf(n) >= 0) || !PREFILTER.test(buf.toString('latin1'))) {
    return { specs: relativeSpecifiersIn(buf) };
  }
  return classifyBuffer(buf, file, maxFileSize);
}

const NEEDLES = ['mail', 'imap', 'node-pop3', 'poplib', 'yapople'].map((n) => Buffer.from(n));
const IMPORT_BEFORE_QUOTE = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)$/;

/**
 * Relative module specifiers (`'./x'`, `"../y"` after from / require( / import( ), found on the bytes:
 * only the specifiers are decoded, not the whole file (far less garbage over a large workspace).
 */
export function relativeSpecifiersIn(buf: Buffer): string[] {
  const out: string[] = [];
  for (let i = buf.indexOf('./'); i >= 0; i = buf.indexOf('./', i + 2)) {
    const start = i > 0 && buf[i - 1] === 0x2e ? i - 1 : i;
    const quote = buf[start - 1];
    if (quote !== 0x27 && quote !== 0x22) {
      continue;
    }
    const end = buf.indexOf(quote, i + 2);
    if (end < 0 || end - start > 300) {
      continue;
    }
    const before = buf.toString('latin1', Math.max(0, start - 24), start - 1);
    if (IMPORT_BEFORE_QUOTE.test(before)) {
      out.push(buf.toString('latin1', start, end));
    }
  }
  return out;
}

export interface CollectOptions {
  env: EnvIndex;
  maxFileSize: number;
  excludeDirs?: readonly string[];
  exclude?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  /** Reads some of the files on another thread (the CLI's worker); must behave like readBatch. */
  offload?: (files: string[]) => Promise<ReadBatch>;
  /** Called for each candidate as soon as it is read (the CLI's worker starts parsing it meanwhile). */
  onCandidate?: (file: string, text: string) => void;
}

/** What reading a batch of files found. */
export interface ReadBatch {
  candidates: [string, string][];
  importers: [string, string[]][];
  skipped: SkippedFile[];
}

/** Reads files with the size guard and the pre-filter; `onCandidate` sees each candidate at once. */
export function readBatch(files: readonly string[], maxFileSize: number, onCandidate?: (file: string, text: string) => void): ReadBatch {
  const out: ReadBatch = { candidates: [], importers: [], skipped: [] };
  for (const file of files) {
    const r = readCandidate(file, maxFileSize);
    if (r === 'skip-minified-name') {
      out.skipped.push({ file, reason: 'minified' });
    } else if ('specs' in r) {
      if (r.specs.length) {
        out.importers.push([file, r.specs]);
      }
    } else if ('skip' in r) {
      out.skipped.push({ file, reason: r.skip });
    } else {
      out.candidates.push([file, r.text]);
      onCandidate?.(file, r.text);
    }
  }
  return out;
}

export interface Collected {
  /** Candidate files and their text. */
  texts: Map<string, string>;
  /** dotenv files read (also added to `opts.env`). */
  envTexts: [string, string][];
  skipped: SkippedFile[];
  /** JS/TS files walked. */
  total: number;
}

/** Walks `paths` and returns the candidate files' texts. Honors `opts.signal`. */
export async function collectCandidates(paths: readonly string[], opts: CollectOptions): Promise<Collected> {
  const { signal, onProgress } = opts;
  onProgress?.({ phase: 'walk', done: 0, total: 0 });
  const walked = await walk(paths, {
    isEnvFile: (b) => opts.env.isEnvFile(b),
    excludeDirs: opts.excludeDirs,
    exclude: opts.exclude,
    signal,
  });
  const skipped: SkippedFile[] = [...walked.skipped];
  const envTexts: [string, string][] = [];
  for (const f of walked.envFiles) {
    try {
      const text = await fs.promises.readFile(f, 'utf8');
      opts.env.add(f, text);
      envTexts.push([f, text]);
    } catch (e) {
      skipped.push({ file: f, reason: `unreadable dotenv file (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
    }
  }

  // Read every source once; keep the text of candidates only. Synchronous reads in small batches
  // are several times faster than one promise per file, and the batches keep cancellation prompt.
  // With `offload`, the tail of the list is read by another thread at the same time.
  const total = walked.sources.length;
  const texts = new Map<string, string>();
  const importers = new Map<string, string[]>();
  const split = opts.offload && total > 2000 ? Math.floor(total * 0.55) : total;
  const elsewhere = split < total ? opts.offload?.(walked.sources.slice(split)) : undefined;
  // A rejected offload is awaited below; do not let it count as unhandled meanwhile.
  elsewhere?.catch(() => undefined);
  const merge = (r: ReadBatch): void => {
    r.candidates.forEach(([f, t]) => texts.set(f, t));
    r.importers.forEach(([f, sp]) => importers.set(f, sp));
    skipped.push(...r.skipped);
  };
  for (let i = 0; i < split; i += 256) {
    throwIfAborted(signal);
    onProgress?.({ phase: 'read', done: i, total, file: walked.sources[i] });
    await new Promise<void>((r) => setImmediate(r));
    merge(readBatch(walked.sources.slice(i, Math.min(i + 256, split)), opts.maxFileSize, opts.onCandidate));
  }
  if (elsewhere) {
    merge(await elsewhere);
  }
  onProgress?.({ phase: 'read', done: total, total });

  // Files that import a candidate may call the library through it (a wrapper module that
  // re-exports it): add them, two hops at most.
  const known = new Set(walked.sources);
  for (let round = 0; round < 2 && texts.size; round++) {
    const names = new Set([...texts.keys()].map(moduleBaseName));
    const add: string[] = [];
    for (const [file, specs] of importers) {
      if (!texts.has(file) && specs.some((sp) => names.has(moduleBaseName(sp)) && texts.has(resolveRelative(file, sp, known) ?? ''))) {
        add.push(file);
      }
    }
    for (const file of add) {
      importers.delete(file);
      try {
        const out = classifyBuffer(fs.readFileSync(file), file, opts.maxFileSize);
        if ('text' in out) {
          texts.set(file, out.text);
          opts.onCandidate?.(file, out.text);
        }
      } catch {
        /* unreadable files were reported by the first pass */
      }
    }
    if (!add.length) {
      break;
    }
  }
  throwIfAborted(signal);

  return { texts, envTexts, skipped, total };
}

/** `./lib/mailer.js` → `mailer`; `/a/b/index.ts` → `b`. */
export function moduleBaseName(p: string): string {
  let base = path.basename(p).replace(/\.[cm]?[jt]sx?$/i, '');
  if (base === 'index') {
    base = path.basename(path.dirname(p));
  }
  return base;
}

export function relativeSpecifiers(text: string): string[] {
  if (!text.includes('./')) {
    return [];
  }
  const out: string[] = [];
  RELATIVE_SPEC.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RELATIVE_SPEC.exec(text))) {
    out.push(m[1]);
  }
  return out;
}

export const RESOLVE_EXTS = ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '.mts', '.cts', '.jsx', '/index.ts', '/index.js'];

export function resolveRelative(from: string, spec: string, known: Set<string>): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const ext of RESOLVE_EXTS) {
    if (known.has(base + ext)) {
      return base + ext;
    }
  }
  // `./x.js` written for `./x.ts` (TypeScript ESM convention)
  const noJs = base.replace(/\.[cm]?js$/, '');
  for (const ext of ['.ts', '.tsx', '.mts', '.cts']) {
    if (known.has(noJs + ext)) {
      return noJs + ext;
    }
  }
  return undefined;
}

