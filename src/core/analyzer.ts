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
import { Project, ts } from 'ts-morph';
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
/** A watched package named as a module specifier: `'nodemailer'`, `"imap"`, `` `imapflow/x` ``. */
const PREFILTER = new RegExp(`['"\`](?:${watchedPackages.map(escapeRe).join('|')})(?:/[^'"\`]*)?['"\`]`);
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
  private project: Project;
  private readonly candidates = new Set<string>();
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
    this.project = createProject();
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

    // Read every source once; keep the text of candidates only.
    const total = walked.sources.length;
    const texts = new Map<string, string>();
    const importsOf = new Map<string, string[]>();
    let done = 0;
    const readOne = async (file: string): Promise<void> => {
      let buf: Buffer;
      try {
        const st = await fs.promises.stat(file);
        if (st.size > this.opts.maxFileSize) {
          skipped.push({ file, reason: `larger than ${formatBytes(this.opts.maxFileSize)} (${formatBytes(st.size)})` });
          return;
        }
        buf = await fs.promises.readFile(file);
      } catch (e) {
        skipped.push({ file, reason: `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
        return;
      }
      const latin = buf.toString('latin1');
      const specs = relativeSpecifiers(latin);
      if (specs.length) {
        importsOf.set(file, specs);
      }
      if (!PREFILTER.test(latin)) {
        if (/\.min\.[cm]?js$/i.test(file)) {
          skipped.push({ file, reason: 'minified' });
        }
        return;
      }
      const out = classifyBuffer(buf, file, this.opts.maxFileSize);
      if ('skip' in out) {
        skipped.push({ file, reason: out.skip });
      } else {
        texts.set(file, out.text);
      }
    };
    await pool(walked.sources, 32, async (file) => {
      throwIfAborted(signal);
      await readOne(file);
      done++;
      if (done % 200 === 0 || done === total) {
        onProgress?.({ phase: 'read', done, total, file });
      }
    });

    // Files that import a candidate may call the library through it (wrapper modules re-exporting it).
    const known = new Set(walked.sources);
    for (let round = 0; round < 2; round++) {
      const add: string[] = [];
      for (const [file, specs] of importsOf) {
        if (texts.has(file)) {
          continue;
        }
        if (specs.some((s) => texts.has(resolveRelative(file, s, known) ?? ''))) {
          add.push(file);
        }
      }
      if (!add.length) {
        break;
      }
      for (const file of add) {
        try {
          const out = classifyBuffer(await fs.promises.readFile(file), file, this.opts.maxFileSize);
          if ('text' in out) {
            texts.set(file, out.text);
          }
        } catch {
          /* reported in the first pass if unreadable */
        }
      }
    }
    throwIfAborted(signal);

    for (const [file, text] of texts) {
      this.setSource(file, text);
    }
    const findings: Finding[] = [];
    let analysed = 0;
    for (const file of texts.keys()) {
      throwIfAborted(signal);
      onProgress?.({ phase: 'analyze', done: analysed, total: texts.size, file });
      try {
        findings.push(...this.analyzeFile(file));
      } catch (e) {
        skipped.push({ file, reason: `analysis failed: ${e instanceof Error ? e.message : String(e)}` });
      }
      analysed++;
      if (analysed % 16 === 0) {
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    onProgress?.({ phase: 'analyze', done: analysed, total: texts.size });
    const root = paths.length === 1 && fs.statSync(path.resolve(paths[0])).isDirectory() ? path.resolve(paths[0]) : this.root;
    return {
      root,
      findings: sortFindings(findings),
      skipped: skipped.sort((a, b) => a.file.localeCompare(b.file)),
      stats: { files: total, parsed: texts.size, durationMs: Math.round(performance.now() - started) },
    };
  }

  /** Adds or replaces a file's text in the project (an open editor's unsaved content, say). */
  setSource(file: string, text: string): void {
    this.project.createSourceFile(file, text, { overwrite: true });
    this.candidates.add(file);
  }

  removeSource(file: string): void {
    const sf = this.project.getSourceFile(file);
    if (sf) {
      this.project.removeSourceFile(sf);
    }
    this.candidates.delete(file);
  }

  /** Analyses one file already in the project. Cross-file values resolve through the program. */
  analyzeFile(file: string): Finding[] {
    const program = this.project.getProgram().compilerObject;
    const sf = program.getSourceFile(file);
    if (!sf) {
      return [];
    }
    const checker = program.getTypeChecker();
    return analyzeSourceFile(sf, checker, this.env, this.root, this.opts.extraHosts, this.opts.reportUnresolved, this.opts.now());
  }

  /**
   * Editor entry point: analyses `text` as the content of `file`. Files that do not mention a watched
   * package cost one regex test.
   */
  analyzeText(file: string, text: string): Finding[] {
    if (!mentionsWatchedPackage(text) && !this.candidates.has(file)) {
      return [];
    }
    this.setSource(file, text);
    return this.analyzeFile(file);
  }
}

function createProject(): Project {
  return new Project({
    compilerOptions: {
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
    },
    skipAddingFilesFromTsConfig: true,
    skipLoadingLibFiles: true,
    // Only local modules are followed: npm packages are recognised by name, never parsed.
    resolutionHost: (host, getOptions) => ({
      resolveModuleNames: (names, containingFile) =>
        names.map((name) =>
          name.startsWith('.') || path.isAbsolute(name)
            ? ts.resolveModuleName(name, containingFile, getOptions(), host).resolvedModule
            : undefined,
        ),
    }),
  });
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

async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) {
      await fn(items[next++]);
    }
  });
  await Promise.all(workers);
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
): Finding[] {
  const findings: Finding[] = [];
  const ev = new Evaluator({ checker, env, root });
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

function inspect(node: ts.CallExpression | ts.NewExpression, ctx: DetectorContext): void {
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
      const before = ctx.report;
      const local: Finding[] = [];
      ctx.report = (f) => local.push(f);
      try {
        d.detect(site, ctx);
      } finally {
        ctx.report = before;
      }
      if (local.length && !isSuppressed(node, ctx.sourceFile)) {
        local.forEach((f) => before(f));
      }
    }
  }
}

export { isSourceFile };
