/**
 * The cheap half of a scan, free of the TypeScript compiler: walk the workspace, read every source
 * once, keep the files that name a watched package in an import position (plus files importing
 * those), and collect the dotenv files. The CLI runs this while a worker loads the analyzer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvIndex } from './env';
import { throwIfAborted, walk } from './files';
import type { Finding, SkippedFile } from './model';
import { isFrameworkConfig, KEYWORD_PACKAGES, STRAPI_PLUGINS_FILE, WATCHED_PACKAGES } from './rule-meta';

export interface ScanProgress {
  phase: 'walk' | 'read' | 'analyze';
  done: number;
  total: number;
  file?: string;
}

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  /**
   * Takes each batch's findings as soon as they are found (the extension's worker posts them to the
   * host): the scan then keeps none, and its result's `findings` is empty.
   */
  onFindings?: (findings: Finding[]) => void;
}

export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

/**
 * Candidates are analysed a batch at a time, and each batch's texts, parses and program are released
 * after it: a batch is full at BATCH_FILES files or BATCH_BYTES of text, large enough that one program
 * serves many files, small enough that its parses and checker stay a few tens of MB.
 */
export const BATCH_FILES = 400;
export const BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Candidate text the CLI's worker parses ahead of the analysis (a quarter of a batch): enough to have the
 * next parses ready when the analysis keeps up with the reading, while a worker that is behind (two
 * workers on an all-candidates tree) does not hold another batch of parses as well.
 */
export const PREPARSE_BYTES = BATCH_BYTES / 4;
/** Past this much text waiting for analysis in the CLI's workers (all of them), reading pauses. */
export const BACKLOG_BYTES = 3 * BATCH_BYTES;

/** Candidate text waiting for analysis in all the CLI's workers (one `backlog` slot per worker). */
export function backlogTotal(backlog: Int32Array): number {
  let n = 0;
  for (let i = 0; i < backlog.length; i++) {
    n += Atomics.load(backlog, i);
  }
  return n;
}

/** Findings by file, then offset. */
export function sortFindings(f: Finding[]): Finding[] {
  return f.sort((a, b) => a.span.file.localeCompare(b.span.file) || a.span.start - b.span.start);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * A watched package named in an import position: `require('imap')`, `from "nodemailer"`,
 * `import('imapflow/x')`, `import 'emailjs'`. Plain strings such as `protocol: 'imap'` do not count.
 */
const IMPORT_POSITION = `(?:\\bfrom\\s*|\\brequire\\s*\\(\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+)['"\`]`;
const PREFILTER = new RegExp(
  `${IMPORT_POSITION}(?:${WATCHED_PACKAGES.filter((p) => !(p in KEYWORD_PACKAGES))
    .map(escapeRe)
    .join('|')})(?:/[^'"\`]*)?['"\`]`,
);
/** Packages admitted only with their keyword (see KEYWORD_PACKAGES): `payload` with `transportOptions`. */
const KEYWORD_FILTERS = Object.entries(KEYWORD_PACKAGES).map(([pkg, keyword]) => ({
  keyword,
  re: new RegExp(`${IMPORT_POSITION}${escapeRe(pkg)}(?:/[^'"\`]*)?['"\`]`),
}));
const RELATIVE_SPEC = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** True when a file's text mentions one of the watched packages as a module specifier. */
export function mentionsWatchedPackage(text: string): boolean {
  return PREFILTER.test(text) || KEYWORD_FILTERS.some((k) => text.includes(k.keyword) && k.re.test(text));
}

/** The whole pre-filter for one file: a watched package, or a framework config that imports none. */
export function isCandidate(file: string, text: string): boolean {
  return mentionsWatchedPackage(text) || isFrameworkConfig(file, text);
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
  const nul = buf.includes(0);
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    return { skip: nul ? 'binary file' : 'not valid UTF-8' };
  }
  // A NUL byte in a string or a comment is valid JavaScript: such a file is text when control bytes are
  // rare (UTF-16 text has a NUL every other byte); whether it parses is the analyzer's call (see
  // Analyzer.sourceFile), which then reports it as binary.
  if (nul && !mostlyText(buf)) {
    return { skip: 'binary file' };
  }
  if (MINIFIED_NAME.test(file) || looksMinified(text)) {
    return { skip: 'minified' };
  }
  return { text };
}

/** At most one byte in 64 is a control byte other than tab, line breaks, form feed and escape. */
function mostlyText(buf: Buffer): boolean {
  let control = 0;
  for (const b of buf) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x0b && b !== 0x1b) {
      control++;
    }
  }
  return control * 64 <= buf.length;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB`
    : `${Math.round(n / 1024)} KB`;
}

/** One read buffer reused for every file: no per-file allocation, far less garbage and peak memory. */
let scratch = Buffer.allocUnsafe(256 * 1024);

/**
 * Reads one source with the size guard and the cheap byte-level pre-filter: open, read, close. No
 * fstat: the file is read into the shared buffer until a short read (its end) or one byte past the size
 * limit (only an oversized file is stat'ed, for the message).
 */
export function readCandidate(
  file: string,
  maxFileSize: number,
): ReadOutcome | { specs: string[] } | 'skip-minified-name' {
  if (MINIFIED_NAME.test(file)) {
    return 'skip-minified-name';
  }
  let buf: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      let off = 0;
      for (;;) {
        if (off === scratch.length) {
          if (off > maxFileSize) {
            break;
          }
          const bigger = Buffer.allocUnsafe(Math.min(scratch.length * 2, maxFileSize + 1));
          scratch.copy(bigger, 0, 0, off);
          scratch = bigger;
        }
        const want = Math.min(scratch.length, maxFileSize + 1) - off;
        const n = fs.readSync(fd, scratch, off, want, null);
        off += n;
        if (off > maxFileSize) {
          return { skip: `larger than ${formatBytes(maxFileSize)} (${formatBytes(fs.fstatSync(fd).size)})` };
        }
        // A short read of a regular file is its end: one read() per file, not a second one for EOF.
        if (n < want) {
          break;
        }
      }
      buf = scratch.subarray(0, off);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { skip: `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  // Every watched package name contains "mail", "imap", one of the POP3 names ("pop" alone would match
  // `.pop()`), or is ews-javascript-api, node-ews or msal-node, and every framework config that can hold a
  // login names one of them too (NextAuth's `Providers.Email` and
  // `next-auth/providers/email`, Payload's `email: {...}`); Meteor's assignment says "MAIL_URL". A few
  // memchr-speed scans decide for almost every file before anything is decoded.
  let named = false;
  for (const needle of NEEDLES) {
    if (buf.indexOf(needle) >= 0) {
      named = true;
      break;
    }
  }
  // Strapi's config/plugins.js imports nothing: its path makes it a candidate.
  if ((!named && !STRAPI_PLUGINS_FILE.test(file)) || !isCandidate(file, buf.toString('latin1'))) {
    return { specs: relativeSpecifiersIn(buf) };
  }
  return classifyBuffer(buf, file, maxFileSize);
}

const MINIFIED_NAME = /\.min\.[cm]?js$/i;
// ews-javascript-api, node-ews and @azure/msal-node (the password grant) name none of the others
const NEEDLES = [
  'mail',
  'imap',
  'node-pop3',
  'poplib',
  'yapople',
  'MAIL_URL',
  'ews-javascript-api',
  'node-ews',
  'msal-node',
].map((n) => Buffer.from(n));
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
  /** Called once the dotenv files are read, before any source is (the CLI's worker needs them first). */
  onEnv?: (envTexts: [string, string][]) => void;
  /**
   * Another thread reading from the same list (the CLI's worker): it claims chunks through `counter`
   * exactly as this thread does (see readClaimed) and resolves with what it read.
   */
  share?: (files: string[], counter: Int32Array) => Promise<ReadBatch>;
  /**
   * Called for each candidate as soon as it is read, and then owns its text: `texts` of the result maps
   * each candidate to '' (memory does not grow with the candidates' text).
   */
  onCandidate?: (file: string, text: string) => void;
  /** Awaited between chunks of files read (the analysis of what was found so far may run there). */
  betweenChunks?: () => Promise<void>;
}

/** What reading a batch of files found. */
export interface ReadBatch {
  candidates: [string, string][];
  importers: [string, string[]][];
  skipped: SkippedFile[];
}

/**
 * Reads files with the size guard and the pre-filter into `out`; `onCandidate` sees each candidate at
 * once and then owns its text (`out` lists the candidate with '').
 */
export function readBatch(
  files: readonly string[],
  maxFileSize: number,
  onCandidate?: (file: string, text: string) => void,
  out: ReadBatch = { candidates: [], importers: [], skipped: [] },
): ReadBatch {
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
      out.candidates.push([file, onCandidate ? '' : r.text]);
      onCandidate?.(file, r.text);
    }
  }
  return out;
}

/** Files claimed at a time from a shared list. */
const CHUNK = 96;

/**
 * Reads chunks of `files` claimed through `counter[0]` (an index shared with another thread through a
 * SharedArrayBuffer) until the list is used up; both threads stay busy to the end whatever each one's
 * other work. `between` runs before each claim (progress, cancellation, letting messages in).
 */
export async function readClaimed(
  files: readonly string[],
  counter: Int32Array,
  maxFileSize: number,
  onCandidate?: (file: string, text: string) => void,
  between?: (claimed: number) => Promise<void>,
): Promise<ReadBatch> {
  const out: ReadBatch = { candidates: [], importers: [], skipped: [] };
  for (;;) {
    await between?.(Math.min(Atomics.load(counter, 0), files.length));
    const start = Atomics.add(counter, 0, CHUNK);
    if (start >= files.length) {
      return out;
    }
    readBatch(files.slice(start, start + CHUNK), maxFileSize, onCandidate, out);
  }
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
      skipped.push({
        file: f,
        reason: `unreadable dotenv file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      });
    }
  }
  opts.onEnv?.(envTexts);

  // Read every source once; keep the text of candidates only. Synchronous reads in small chunks are
  // several times faster than one promise per file, and the chunks keep cancellation prompt. With
  // `share`, another thread claims chunks from the same list at the same time.
  const sources = walked.sources;
  const total = sources.length;
  const texts = new Map<string, string>();
  const importers = new Map<string, string[]>();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const elsewhere = total ? opts.share?.(sources, counter) : undefined;
  // A rejected share is awaited below; do not let it count as unhandled meanwhile.
  elsewhere?.catch(() => undefined);
  const keep = !opts.onCandidate;
  const merge = (r: ReadBatch): void => {
    r.candidates.forEach(([f, t]) => texts.set(f, keep ? t : ''));
    r.importers.forEach(([f, sp]) => importers.set(f, sp));
    skipped.push(...r.skipped);
  };
  merge(
    await readClaimed(sources, counter, opts.maxFileSize, opts.onCandidate, async (claimed) => {
      throwIfAborted(signal);
      onProgress?.({ phase: 'read', done: claimed, total, file: sources[claimed] });
      await new Promise<void>((r) => setImmediate(r));
      await opts.betweenChunks?.();
    }),
  );
  if (elsewhere) {
    merge(await elsewhere);
  }
  onProgress?.({ phase: 'read', done: total, total });

  // Files that import a candidate may call the library through it (a wrapper module that
  // re-exports it): add them, two hops at most.
  const known = new Set(sources);
  for (let round = 0; round < 2 && texts.size; round++) {
    const names = new Set([...texts.keys()].map(moduleBaseName));
    // One regex test per specifier rules out almost all of them (a superset: case-insensitive);
    // moduleBaseName and the resolution confirm the few that pass.
    const mayName = new RegExp(
      `(?:^|[\\\\/])(?:${[...names].map(escapeRe).join('|')})(?:\\.[cm]?[jt]sx?)?(?:[\\\\/](?:index(?:\\.[cm]?[jt]sx?)?)?)?$`,
      'i',
    );
    const add: string[] = [];
    for (const [file, specs] of importers) {
      if (
        !texts.has(file) &&
        specs.some(
          (sp) =>
            mayName.test(sp) &&
            names.has(moduleBaseName(sp)) &&
            texts.has(resolveRelative(file, sp, known) ?? ''),
        )
      ) {
        add.push(file);
      }
    }
    for (const file of add) {
      importers.delete(file);
      try {
        const out = classifyBuffer(fs.readFileSync(file), file, opts.maxFileSize);
        if ('text' in out) {
          texts.set(file, keep ? out.text : '');
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

/** `./lib/mailer.js` → `mailer`; `/a/b/index.ts` → `b`. Called for every import specifier: no regex. */
export function moduleBaseName(p: string): string {
  let end = p.length;
  while (end > 1 && (p.charCodeAt(end - 1) === 0x2f || p.charCodeAt(end - 1) === 0x5c)) {
    end--;
  }
  const slash = Math.max(p.lastIndexOf('/', end - 1), p.lastIndexOf('\\', end - 1));
  let base = p.slice(slash + 1, end);
  const dot = base.lastIndexOf('.');
  if (dot > 0 && SOURCE_EXT_RE.test(base.slice(dot))) {
    base = base.slice(0, dot);
  }
  return base === 'index' && slash > 0 ? moduleBaseName(p.slice(0, slash)) : base;
}

const SOURCE_EXT_RE = /^\.[cm]?[jt]sx?$/i;

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

export const RESOLVE_EXTS = [
  '',
  '.ts',
  '.tsx',
  '.js',
  '.mjs',
  '.cjs',
  '.mts',
  '.cts',
  '.jsx',
  '/index.ts',
  '/index.js',
];

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
