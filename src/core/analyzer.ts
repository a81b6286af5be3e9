/**
 * The analyzer: a text pre-filter picks candidate files, a ts-morph project holds them (plus whatever
 * local modules they import, resolved lazily by the type checker), and the detectors run on every
 * call/new expression whose callee resolves to a watched npm package.
 *
 * One instance can stay warm (the VS Code extension keeps one per workspace folder) and be updated file
 * by file; the CLI makes one per scan.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { detectors, watchedPackages, type CallSite, type DetectorContext } from './detectors';
import { DEFAULT_ENV_FILES, EnvIndex } from './env';
import { isSourceFile, throwIfAborted, walk } from './files';
import type { Finding, ScanResult, SkippedFile } from './model';
import { Evaluator } from './resolve';

export interface AnalyzerOptions {
  /** Extra host names treated as Microsoft mail endpoints (e.g. a corporate CNAME). */
  extraHosts?: readonly string[];
  /** Report password logins whose host cannot be resolved (`unresolved-mail-host`, info). Default false. */
  reportUnresolved?: boolean;
  /** Clock for date-driven severity (tests pin it). */
  now?: () => Date;
  /** dotenv file names in precedence order; `.env.*` matches `.env.<mode>`. */
  envFiles?: readonly string[];
  /** Files larger than this are skipped (bytes). Default 1 MB. */
  maxFileSize?: number;
  /** Extra folder names to skip. */
  excludeDirs?: readonly string[];
  /** gitignore-style patterns to skip, relative to the root. */
  exclude?: readonly string[];
}

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
  `(?:\\bfrom\\s*|\\brequire\\s*\\(\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+)['"\`](?:${watchedPackages.map(escapeRe).join('|')})(?:/[^'"\`]*)?['"\`]`,
);
const RELATIVE_SPEC = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const SUPPRESS = /mail-oauth-ignore/;

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

type ReadOutcome = { text: string } | { skip: string };

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

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB` : `${Math.round(n / 1024)} KB`;
}

export class Analyzer {
  readonly root: string;
  readonly env: EnvIndex;
  /** Texts given to the analyzer (candidates found by the scan, open editors); they win over the disk. */
  private readonly overlay = new Map<string, string>();
  /** Parsed files, reused across program rebuilds while their text is unchanged. */
  private readonly parsed = new Map<string, ts.SourceFile>();
  private program: ts.Program | undefined;
  private dirty = true;
  /** Local imports the program may resolve: only those a value led to (file → specifiers). */
  private readonly allowedImports = new Map<string, Set<string>>();
  /** Files whose allowed imports grew since the last program (their resolutions are redone). */
  private readonly invalidated = new Set<string>();
  private readonly opts: Required<Omit<AnalyzerOptions, 'now'>> & { now: () => Date };

  constructor(root: string, options: AnalyzerOptions = {}) {
    this.root = path.resolve(root);
    this.opts = {
      extraHosts: options.extraHosts ?? [],
      reportUnresolved: options.reportUnresolved ?? false,
      now: options.now ?? (() => new Date()),
      envFiles: options.envFiles ?? DEFAULT_ENV_FILES,
      maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
      excludeDirs: options.excludeDirs ?? [],
      exclude: options.exclude ?? [],
    };
    this.env = new EnvIndex(this.opts.envFiles);
  }

  /** Walks `paths` (default: the root), pre-filters, analyses candidates. Honors `signal`. */
  async scan(paths: readonly string[] = [this.root], options: ScanOptions = {}): Promise<ScanResult> {
    const started = performance.now();
    const { signal, onProgress } = options;
    onProgress?.({ phase: 'walk', done: 0, total: 0 });
    const walked = await walk(paths, {
      isEnvFile: (b) => this.env.isEnvFile(b),
      excludeDirs: this.opts.excludeDirs,
      exclude: this.opts.exclude,
      signal,
    });
    const skipped: SkippedFile[] = [...walked.skipped];
    for (const f of walked.envFiles) {
      try {
        this.env.add(f, await fs.promises.readFile(f, 'utf8'));
      } catch (e) {
        skipped.push({ file: f, reason: `unreadable dotenv file (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
      }
    }

    // Read every source once; keep the text of candidates only. Synchronous reads in small batches
    // are several times faster than one promise per file, and the batches keep cancellation prompt.
    const total = walked.sources.length;
    const texts = new Map<string, string>();
    const importers = new Map<string, string[]>();
    for (let i = 0; i < total; i++) {
      if (i % 256 === 0) {
        throwIfAborted(signal);
        onProgress?.({ phase: 'read', done: i, total, file: walked.sources[i] });
        await new Promise<void>((r) => setImmediate(r));
      }
      const file = walked.sources[i];
      const out = this.readCandidate(file);
      if (out === 'skip-minified-name') {
        skipped.push({ file, reason: 'minified' });
      } else if ('specs' in out) {
        if (out.specs.length) {
          importers.set(file, out.specs);
        }
      } else if ('skip' in out) {
        skipped.push({ file, reason: out.skip });
      } else {
        texts.set(file, out.text);
      }
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
          const out = classifyBuffer(fs.readFileSync(file), file, this.opts.maxFileSize);
          if ('text' in out) {
            texts.set(file, out.text);
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

    for (const [file, text] of texts) {
      this.setSource(file, text);
    }
    // Analyse every candidate; files whose values led to modules not loaded yet are analysed again
    // once the program has them (one rebuild per round, not per file).
    const results = new Map<string, Finding[]>();
    let pending = [...texts.keys()];
    let analysed = 0;
    for (let round = 0; pending.length && round <= MAX_IMPORT_DEPTH; round++) {
      const again: string[] = [];
      const requests: [string, string][] = [];
      for (const file of pending) {
        throwIfAborted(signal);
        if (round === 0) {
          onProgress?.({ phase: 'analyze', done: analysed, total: texts.size, file });
        }
        const mine: [string, string][] = [];
        try {
          results.set(file, this.analyzeOnce(file, mine));
        } catch (e) {
          results.delete(file);
          skipped.push({ file, reason: `analysis failed: ${e instanceof Error ? e.message : String(e)}` });
        }
        if (mine.length) {
          requests.push(...mine);
          again.push(file);
        }
        if (round === 0 && ++analysed % 16 === 0) {
          await new Promise<void>((r) => setImmediate(r));
        }
      }
      pending = round < MAX_IMPORT_DEPTH && this.allowImports(requests) ? again : [];
    }
    const findings = [...results.values()].flat();
    onProgress?.({ phase: 'analyze', done: analysed, total: texts.size });
    const root = paths.length === 1 && fs.statSync(path.resolve(paths[0])).isDirectory() ? path.resolve(paths[0]) : this.root;
    return {
      root,
      findings: sortFindings(findings),
      skipped: skipped.sort((a, b) => a.file.localeCompare(b.file)),
      stats: { files: total, parsed: texts.size, durationMs: Math.round(performance.now() - started) },
    };
  }

  /** Adds or replaces a file's text (an open editor's unsaved content, say). */
  setSource(file: string, text: string): void {
    if (this.overlay.get(file) !== text) {
      this.overlay.set(file, text);
      this.dirty = true;
    }
  }

  removeSource(file: string): void {
    if (this.overlay.delete(file) || this.parsed.delete(file)) {
      this.dirty = true;
    }
  }

  /** The text a file had when it was analysed (overlay or parsed import), if the analyzer saw it. */
  textOf(file: string): string | undefined {
    return this.overlay.get(file) ?? this.parsed.get(file)?.text;
  }

  /** Forgets the cached parse of a file on disk that changed (the editor's file watcher calls this). */
  invalidate(file: string): void {
    if (this.parsed.delete(file)) {
      this.dirty = true;
    }
  }

  /** The program over the overlay files; local imports are loaded lazily by the compiler host. */
  private getProgram(): ts.Program {
    if (!this.program || this.dirty) {
      this.dirty = false;
      this.program = ts.createProgram({
        rootNames: [...this.overlay.keys()],
        options: COMPILER_OPTIONS,
        host: this.compilerHost(),
        oldProgram: this.program,
      });
      this.invalidated.clear();
    }
    return this.program;
  }

  private compilerHost(): ts.CompilerHost {
    const readText = (file: string): string | undefined => {
      const o = this.overlay.get(file);
      if (o !== undefined) {
        return o;
      }
      try {
        const st = fs.statSync(file);
        if (!st.isFile() || st.size > this.opts.maxFileSize) {
          return undefined;
        }
        const out = classifyBuffer(fs.readFileSync(file), file, this.opts.maxFileSize);
        return 'text' in out ? out.text : undefined;
      } catch {
        return undefined;
      }
    };
    // Module resolution probes many candidate paths; answer each once per program.
    const exists = new Map<string, boolean>();
    const fileExists = (file: string): boolean => {
      if (this.overlay.has(file)) {
        return true;
      }
      let e = exists.get(file);
      if (e === undefined) {
        e = isLocalModule(file) && fs.existsSync(file);
        exists.set(file, e);
      }
      return e;
    };
    const dirs = new Map<string, boolean>();
    const directoryExists = (dir: string): boolean => {
      let e = dirs.get(dir);
      if (e === undefined) {
        const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
        e = isLocalModule(prefix) && ([...this.overlay.keys()].some((f) => f.startsWith(prefix)) || fs.existsSync(dir));
        dirs.set(dir, e);
      }
      return e;
    };
    const moduleHost: ts.ModuleResolutionHost = { fileExists, readFile: readText, directoryExists };
    return {
      getSourceFile: (file, languageVersion) => {
        const text = readText(file);
        if (text === undefined) {
          return undefined;
        }
        const cached = this.parsed.get(file);
        if (cached && cached.text === text) {
          return cached;
        }
        const sf = ts.createSourceFile(file, text, languageVersion, true, scriptKind(file));
        this.parsed.set(file, sf);
        return sf;
      },
      getDefaultLibFileName: () => 'lib.d.ts',
      hasInvalidatedResolutions: (file) => this.invalidated.has(file),
      writeFile: () => undefined,
      getCurrentDirectory: () => this.root,
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists,
      directoryExists,
      readFile: readText,
      // Only local modules are followed, and only those a value led to (see requestImport).
      resolveModuleNames: (names, containingFile) => {
        const allowed = this.allowedImports.get(containingFile);
        return names.map((name) => {
          if (!allowed?.has(name) || !(name.startsWith('.') || path.isAbsolute(name))) {
            return undefined;
          }
          const r = ts.resolveModuleName(name, containingFile, COMPILER_OPTIONS, moduleHost).resolvedModule;
          return r && !r.isExternalLibraryImport ? r : undefined;
        });
      },
    };
  }

  /** Records imports a value led to; true when any is new (the program must be rebuilt). */
  private allowImports(requests: readonly [string, string][]): boolean {
    let added = false;
    for (const [from, spec] of requests) {
      let set = this.allowedImports.get(from);
      if (!set) {
        set = new Set();
        this.allowedImports.set(from, set);
      }
      if (!set.has(spec)) {
        set.add(spec);
        // The old program's failed resolution for this file must not be reused.
        this.invalidated.add(from);
        added = true;
      }
    }
    if (added) {
      this.dirty = true;
    }
    return added;
  }

  /** One analysis pass over a file; `requests` collects the local imports it could not follow. */
  private analyzeOnce(file: string, requests: [string, string][]): Finding[] {
    const program = this.getProgram();
    const sf = program.getSourceFile(file);
    if (!sf) {
      return [];
    }
    return analyzeSourceFile(sf, program.getTypeChecker(), this.env, this.root, this.opts.extraHosts, this.opts.reportUnresolved, this.opts.now(), (from, spec) =>
      requests.push([from, spec]),
    );
  }

  /** Analyses one file; local modules are loaded as values lead there, up to MAX_IMPORT_DEPTH hops. */
  analyzeFile(file: string): Finding[] {
    for (let round = 0; ; round++) {
      const requests: [string, string][] = [];
      const findings = this.analyzeOnce(file, requests);
      if (round >= MAX_IMPORT_DEPTH || !this.allowImports(requests)) {
        return findings;
      }
    }
  }

  /** One hop: does `text` import a local module that names a watched package (a wrapper)? */
  private importsCandidate(file: string, text: string): boolean {
    for (const spec of relativeSpecifiers(text)) {
      const base = path.resolve(path.dirname(file), spec);
      for (const ext of RESOLVE_EXTS) {
        const target = base + ext;
        if (this.overlay.has(target)) {
          return true;
        }
        try {
          const st = fs.statSync(target);
          if (st.isFile() && st.size <= this.opts.maxFileSize) {
            if (mentionsWatchedPackage(fs.readFileSync(target, 'latin1'))) {
              return true;
            }
            break;
          }
        } catch {
          /* try the next extension */
        }
      }
    }
    return false;
  }

  /** Reads one source with the size guard and the cheap byte-level pre-filter. */
  private readCandidate(file: string): ReadOutcome | { specs: string[] } | 'skip-minified-name' {
    let buf: Buffer;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size > this.opts.maxFileSize) {
          return { skip: `larger than ${formatBytes(this.opts.maxFileSize)} (${formatBytes(size)})` };
        }
        buf = Buffer.allocUnsafe(size);
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
    // Every watched package name contains "mail", "imap" or "pop": three memchr-speed scans
    // decide for almost every file before any decoding.
    const minifiedName = /\.min\.[cm]?js$/i.test(file);
    const mayImport = !minifiedName && buf.indexOf('./') >= 0;
    if (buf.indexOf('mail') < 0 && buf.indexOf('imap') < 0 && buf.indexOf('pop') < 0) {
      return minifiedName ? 'skip-minified-name' : { specs: mayImport ? relativeSpecifiers(buf.toString('latin1')) : [] };
    }
    const latin = buf.toString('latin1');
    if (!PREFILTER.test(latin)) {
      return minifiedName ? 'skip-minified-name' : { specs: mayImport ? relativeSpecifiers(latin) : [] };
    }
    return classifyBuffer(buf, file, this.opts.maxFileSize);
  }

  /**
   * Editor entry point: analyses `text` as the content of `file`. Files that do not mention a watched
   * package cost one regex test.
   */
  analyzeText(file: string, text: string): Finding[] {
    if (!mentionsWatchedPackage(text) && !this.overlay.has(file) && !this.importsCandidate(file, text)) {
      return [];
    }
    this.setSource(file, text);
    return this.analyzeFile(file);
  }
}

/** Import hops followed from an analysed file (config → re-export → constants is 3). */
const MAX_IMPORT_DEPTH = 4;

const COMPILER_OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: false,
  noEmit: true,
  resolveJsonModule: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  jsx: ts.JsxEmit.Preserve,
  noLib: true,
  types: [],
  skipLibCheck: true,
  maxNodeModuleJsDepth: 0,
};

function isLocalModule(file: string): boolean {
  return !file.includes(`${path.sep}node_modules${path.sep}`);
}

function scriptKind(file: string): ts.ScriptKind {
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.ts':
    case '.mts':
    case '.cts':
      return ts.ScriptKind.TS;
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.json':
      return ts.ScriptKind.JSON;
    default:
      return ts.ScriptKind.JS;
  }
}

/** `./lib/mailer.js` → `mailer`; `/a/b/index.ts` → `b`. */
function moduleBaseName(p: string): string {
  let base = path.basename(p).replace(/\.[cm]?[jt]sx?$/i, '');
  if (base === 'index') {
    base = path.basename(path.dirname(p));
  }
  return base;
}

function relativeSpecifiers(text: string): string[] {
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

const RESOLVE_EXTS = ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '.mts', '.cts', '.jsx', '/index.ts', '/index.js'];

function resolveRelative(from: string, spec: string, known: Set<string>): string | undefined {
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

function sortFindings(f: Finding[]): Finding[] {
  return f.sort((a, b) => a.span.file.localeCompare(b.span.file) || a.span.start - b.span.start);
}

/** Comments `mail-oauth-ignore` before the statement, or on the line of the call, suppress a finding. */
function isSuppressed(node: ts.Node, sf: ts.SourceFile): boolean {
  const text = sf.text;
  let n: ts.Node | undefined = node;
  while (n && !ts.isSourceFile(n)) {
    for (const r of ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []) {
      if (SUPPRESS.test(text.slice(r.pos, r.end))) {
        return true;
      }
    }
    if (ts.isStatement(n) || ts.isVariableStatement(n)) {
      break;
    }
    n = n.parent;
  }
  const lineEnd = text.indexOf('\n', node.getStart(sf));
  for (const r of ts.getTrailingCommentRanges(text, lineEnd < 0 ? text.length : lineEnd) ?? []) {
    if (SUPPRESS.test(text.slice(r.pos, r.end))) {
      return true;
    }
  }
  const lineStart = text.lastIndexOf('\n', node.getStart(sf)) + 1;
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const c = line.indexOf('//');
  return c >= 0 && SUPPRESS.test(line.slice(c));
}

/** Runs every detector on one parsed file. Exported for tests that build their own programs. */
export function analyzeSourceFile(
  sf: ts.SourceFile,
  checker: ts.TypeChecker,
  env: EnvIndex,
  root: string,
  extraHosts: readonly string[],
  reportUnresolved: boolean,
  now: Date,
  requestImport?: (fromFile: string, specifier: string) => void,
): Finding[] {
  const findings: Finding[] = [];
  const ev = new Evaluator({ checker, env, root, requestImport });
  const ctx: DetectorContext = {
    ev,
    checker,
    sourceFile: sf,
    options: { extraHosts, reportUnresolved, now },
    report: (f) => findings.push(f),
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.expression.kind !== ts.SyntaxKind.ImportKeyword) {
      try {
        inspect(node, ctx);
      } catch {
        // One odd node must not end the file's analysis (TypeStat's collectMutationsFromNodes does the same).
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

/** Callees that can never reach a package: `this.x()`, `super()`, calls on literals. */
function cannotBePackage(expr: ts.Expression): boolean {
  let e: ts.Expression = expr;
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) {
    e = e.expression;
  }
  return (
    e.kind === ts.SyntaxKind.ThisKeyword ||
    e.kind === ts.SyntaxKind.SuperKeyword ||
    ts.isStringLiteralLike(e) ||
    ts.isArrayLiteralExpression(e) ||
    ts.isObjectLiteralExpression(e)
  );
}

function inspect(node: ts.CallExpression | ts.NewExpression, ctx: DetectorContext): void {
  if (cannotBePackage(node.expression)) {
    return;
  }
  const callee = ctx.ev.evaluate(node.expression);
  if (callee.kind !== 'module') {
    return;
  }
  const site: CallSite = {
    node,
    isNew: ts.isNewExpression(node),
    pkg: callee.pkg,
    path: callee.path,
    args: node.arguments ?? [],
  };
  for (const d of detectors) {
    if (d.matches(site)) {
      const local: Finding[] = [];
      d.detect(site, { ...ctx, report: (f) => local.push(f) });
      if (local.length && !isSuppressed(node, ctx.sourceFile)) {
        local.forEach((f) => ctx.report(f));
      }
    }
  }
}

export { isSourceFile };
