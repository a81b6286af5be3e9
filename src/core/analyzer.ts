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
import { ts } from './ts';
import { detectors, fileDetectors, intrinsics, type CallSite, type DetectorContext } from './detectors';
import { meteorEnvFindings } from './detectors/meteor';
import { detectMsalPasswordGrant } from './detectors/msal-password-grant';
import { DEFAULT_ENV_FILES, EnvIndex } from './env';
import { isSourceFile, throwIfAborted } from './files';
import type { Finding, ScanResult, SkippedFile } from './model';
import { collectGarbage } from './gc';
import { cannotBePackage, type Gate, gateCalls, isPasswordGrantCall } from './gate';
import { AnalysisSkipped, isStackOverflow, skipReason } from './isolate';
import { Evaluator } from './resolve';
import {
  diffSpan,
  gateShape,
  inertEdit,
  relevance,
  type ReuseState,
  sameShape,
  shiftFindings,
  shiftState,
} from './reuse';
import {
  BATCH_BYTES,
  BATCH_FILES,
  classifyBuffer,
  collectCandidates,
  DEFAULT_MAX_FILE_SIZE,
  isCandidate,
  mentionsWatchedPackage,
  relativeSpecifiers,
  RESOLVE_EXTS,
  type ScanOptions,
  sortFindings,
} from './scanner';

export {
  DEFAULT_MAX_FILE_SIZE,
  mentionsWatchedPackage,
  sortFindings,
  type ScanOptions,
  type ScanProgress,
} from './scanner';

const SUPPRESS = /mail-oauth-ignore/;

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
  /** analyzeText moves the previous findings after edits that cannot change them (see reuse.ts). Default true. */
  reuseEdits?: boolean;
}

export class Analyzer {
  readonly root: string;
  readonly env: EnvIndex;
  /** Texts given to the analyzer (candidates found by the scan, open editors); they win over the disk. */
  private readonly overlay = new Map<string, string>();
  /** Parsed files, reused across program rebuilds while their text is unchanged. */
  private readonly parsed = new Map<string, ts.SourceFile>();
  /** Texts that could not be parsed, bound or analysed, and why: left out until their text changes. */
  private readonly failed = new Map<string, { text: string; reason: string }>();
  private program: ts.Program | undefined;
  private dirty = true;
  /** Local imports the program may resolve: only those a value led to (file → specifiers). */
  private readonly allowedImports = new Map<string, Set<string>>();
  /** Files whose allowed imports grew since the last program (their resolutions are redone). */
  private readonly invalidated = new Set<string>();
  private readonly opts: Required<Omit<AnalyzerOptions, 'now'>> & { now: () => Date };
  /** mayWrapPackage answers per module file; cleared whenever a text changes. */
  private readonly wraps = new Map<string, boolean>();
  /** resolveLocal answers (specifier resolved against its folder → file, or null); cleared with `wraps`. */
  private readonly resolved = new Map<string, string | null>();
  /** The editor's last full analysis per file, for edits that cannot change it (see reuse.ts). */
  private readonly reuse = new Map<string, ReuseState>();
  /** Bumped whenever a text the analysis may read changes (a reused result must predate none). */
  private revision = 0;
  /** How many analyzeText calls were answered by moving the previous findings (tests, benchmarks). */
  reused = 0;
  /** Work counts for MAIL_OAUTH_TIMING: files parsed, analysis passes (first and later rounds). */
  readonly counts = { parsed: 0, passes: 0, laterPasses: 0 };

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
      reuseEdits: options.reuseEdits ?? true,
    };
    this.env = new EnvIndex(this.opts.envFiles);
  }

  /** Walks `paths` (default: the root), pre-filters, analyses candidates. Honors `signal`. */
  async scan(paths: readonly string[] = [this.root], options: ScanOptions = {}): Promise<ScanResult> {
    const started = performance.now();
    // Candidates are analysed in batches while the walk goes on, and each batch's texts, parses and
    // program are released after it (memory stays bounded whatever the number of candidates). Texts
    // given before the scan (open editors) stay.
    const keep = new Set(this.overlay.keys());
    const batch = new Batch();
    const analysed = { findings: [] as Finding[], skipped: [] as SkippedFile[] };
    // (findings handed over as they are found, or kept for the result)
    const emit = options.onFindings ?? ((f: Finding[]) => analysed.findings.push(...detach(f)));
    const flush = async (final: boolean): Promise<void> => {
      while (batch.size) {
        const texts = batch.take();
        const r = await this.analyzeCandidates(texts, final ? options : { signal: options.signal });
        emit(r.findings);
        analysed.skipped.push(...r.skipped);
        this.release(texts.keys(), keep);
        collectGarbage();
      }
    };
    const collected = await collectCandidates(paths, {
      env: this.env,
      maxFileSize: this.opts.maxFileSize,
      excludeDirs: this.opts.excludeDirs,
      exclude: this.opts.exclude,
      signal: options.signal,
      onProgress: options.onProgress,
      onCandidate: (file, text) => batch.add(file, text),
      betweenChunks: () => (batch.full() ? flush(false) : Promise.resolve()),
    });
    await flush(true);
    // the parses kept for the next batch (see release) have no next batch
    this.release([], keep, 0);
    emit(this.envFindings());
    sortFindings(analysed.findings);
    const root =
      paths.length === 1 && fs.statSync(path.resolve(paths[0])).isDirectory()
        ? path.resolve(paths[0])
        : this.root;
    return {
      root,
      findings: analysed.findings,
      skipped: [...collected.skipped, ...analysed.skipped].sort((a, b) => a.file.localeCompare(b.file)),
      stats: {
        files: collected.total,
        parsed: collected.texts.size,
        durationMs: Math.round(performance.now() - started),
      },
    };
  }

  /**
   * Analyses candidate files (as collected by `collectCandidates`). Files whose values led to modules
   * not loaded yet are analysed again once the program has them (one rebuild per round, not per file).
   */
  async analyzeCandidates(
    texts: ReadonlyMap<string, string>,
    options: ScanOptions = {},
  ): Promise<{ findings: Finding[]; skipped: SkippedFile[] }> {
    const { signal, onProgress } = options;
    const skipped: SkippedFile[] = [];
    for (const [file, text] of texts) {
      this.setSource(file, text, true);
    }
    // Analyse every candidate; files whose values led to modules not loaded yet are analysed again
    // once the program has them (one rebuild per round, not per file).
    const results = new Map<string, Finding[]>();
    const gates = new Map<string, { sf: ts.SourceFile; gate: Gate } | undefined>();
    for (const [file, text] of texts) {
      gates.set(file, this.gateFirst(file, text));
    }
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
        this.counts.passes++;
        if (round > 0) {
          this.counts.laterPasses++;
        }
        try {
          results.set(file, this.analyzeOnce(file, mine, undefined, gates.get(file)));
        } catch (e) {
          results.delete(file);
          skipped.push({ file, reason: this.giveUp(file, e) });
          mine.length = 0;
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
    return { findings: sortFindings(findings), skipped };
  }

  /** Findings in the dotenv files themselves (Meteor's MAIL_URL); the scan adds them once. */
  envFindings(): Finding[] {
    return meteorEnvFindings(this.env, this.root, {
      extraHosts: this.opts.extraHosts,
      reportUnresolved: false,
      now: this.opts.now(),
    });
  }

  /**
   * Forgets what analysing `files` loaded: their texts and parses (but those in `keep`), the parses of
   * the modules values led to (but the most recent `keepParseChars` of text, for the next batch), and
   * the program with its checker. Findings are plain data and stay.
   */
  release(
    files: Iterable<string>,
    keep: ReadonlySet<string> = new Set(),
    keepParseChars = KEPT_PARSE_CHARS,
  ): void {
    for (const f of files) {
      if (!keep.has(f)) {
        this.overlay.delete(f);
        this.reuse.delete(f);
        this.failed.delete(f);
      }
    }
    // The most recently used parses of other files stay, up to `keepParseChars` of text: modules many
    // candidates import (shared helpers, a config) are then not parsed again batch after batch.
    let kept = 0;
    for (const [f, sf] of [...this.parsed].reverse()) {
      if (!this.overlay.has(f) && (kept += sf.text.length) > keepParseChars) {
        this.parsed.delete(f);
      }
    }
    for (const f of [...this.allowedImports.keys()]) {
      if (!this.overlay.has(f)) {
        this.allowedImports.delete(f);
      }
    }
    this.program = undefined;
    this.dirty = true;
    this.revision++;
  }

  /**
   * Adds a file and parses it now, ahead of the program (the CLI worker does this while the main
   * thread is still reading the workspace; the program then reuses the parse).
   */
  preparse(file: string, text: string): void {
    this.setSource(file, text, true);
    this.sourceFile(file, text);
  }

  /**
   * The parsed and bound file for `text`: cached, re-parsed incrementally from the cached parse (an
   * edit), or parsed. Binding here, file by file, is what the checker would do for all files at once:
   * a file that overflows the stack or throws is then left out alone (undefined; see `failed`).
   */
  private sourceFile(file: string, text: string): ts.SourceFile | undefined {
    if (this.failed.get(file)?.text === text) {
      return undefined;
    }
    const cached = this.parsed.get(file);
    try {
      if (cached?.text === text) {
        // most recently used last (see release)
        this.parsed.delete(file);
        this.parsed.set(file, cached);
        this.failed.delete(file);
        return cached;
      }
      const sf = cached
        ? ts.updateSourceFile(cached, text, textChange(diffSpan(cached.text, text)))
        : (this.counts.parsed++, parseFile(file, text));
      if (text.includes('\0') && hasSyntaxErrors(sf)) {
        // NUL bytes outside strings and comments: not source text (see classifyBuffer)
        this.parsed.delete(file);
        this.failed.set(file, { text, reason: 'binary file' });
        return undefined;
      }
      this.parsed.set(file, sf);
      bindSourceFile(sf);
      this.failed.delete(file);
      return sf;
    } catch (e) {
      this.parsed.delete(file);
      this.failed.set(file, { text, reason: skipReason(e) });
      return undefined;
    }
  }

  /**
   * Records that `file` could not be analysed and returns why. The checker may be left half-way
   * through a type after an exception: the next analysis gets a new program, without this text.
   */
  private giveUp(file: string, e: unknown): string {
    const reason = skipReason(e);
    if (!(e instanceof AnalysisSkipped)) {
      const text = this.textOf(file);
      if (text !== undefined) {
        this.failed.set(file, { text, reason });
      }
      this.parsed.delete(file);
      this.program = undefined;
      this.dirty = true;
    }
    return reason;
  }

  /**
   * Adds or replaces a file's text (an open editor's unsaved content, say). `fromDisk`: the text was just
   * read from disk (a scan's candidate), so the mayWrapPackage answers, read from disk, still hold.
   */
  setSource(file: string, text: string, fromDisk = false): void {
    const before = this.overlay.get(file);
    if (before !== text) {
      this.overlay.set(file, text);
      this.dirty = true;
      this.revision++;
      // mayWrapPackage answers depend only on what modules name and import: typing elsewhere in a file
      // keeps them (no re-reading of its imports from disk on every edit)
      if (before === undefined ? !fromDisk : wrapKey(before) !== wrapKey(text)) {
        this.forgetModules();
      }
    }
  }

  removeSource(file: string): void {
    this.failed.delete(file);
    if (this.overlay.delete(file) || this.parsed.delete(file)) {
      this.dirty = true;
      this.forgetModules();
    }
    this.reuse.delete(file);
    this.revision++;
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
    this.forgetModules();
    this.revision++;
  }

  /** The program over the overlay files; local imports are loaded lazily by the compiler host. */
  private getProgram(): ts.Program {
    if (!this.program || this.dirty) {
      this.dirty = false;
      this.program = ts.createProgram({
        rootNames: [...this.overlay].filter(([f, t]) => this.failed.get(f)?.text !== t).map(([f]) => f),
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
        e =
          isLocalModule(prefix) &&
          ([...this.overlay.keys()].some((f) => f.startsWith(prefix)) || fs.existsSync(dir));
        dirs.set(dir, e);
      }
      return e;
    };
    const moduleHost: ts.ModuleResolutionHost = { fileExists, readFile: readText, directoryExists };
    return {
      getSourceFile: (file) => {
        // An edited file is re-parsed incrementally: unchanged subtrees are reused (editor typing).
        const text = readText(file);
        return text === undefined ? undefined : this.sourceFile(file, text);
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
  private analyzeOnce(
    file: string,
    requests: [string, string][],
    onGate?: (g: Gate) => void,
    gated?: { sf: ts.SourceFile; gate: Gate },
  ): Finding[] {
    const program = this.getProgram();
    const sf = program.getSourceFile(file);
    if (!sf) {
      const failed = this.failed.get(file);
      if (failed && failed.text === this.overlay.get(file)) {
        throw new AnalysisSkipped(failed.reason);
      }
      return [];
    }
    return analyzeSourceFile(sf, program.getTypeChecker(), {
      env: this.env,
      root: this.root,
      extraHosts: this.opts.extraHosts,
      reportUnresolved: this.opts.reportUnresolved,
      now: this.opts.now(),
      requestImport: (from, spec) => requests.push([from, spec]),
      mayWrap: (from, spec) => this.mayWrapPackage(from, spec),
      onGate,
      gate: gated?.sf === sf ? gated.gate : undefined,
    });
  }

  /**
   * A file's gate, worked out once for all analysis rounds, with the local modules its calls go through
   * allowed before the first program: their evaluation then finds them loaded instead of asking for them
   * and waiting for a second round (a wrapper's own imports still take one). Undefined for a file the
   * gate cannot walk (its analysis fails the same way and skips it with the reason).
   */
  private gateFirst(file: string, text: string): { sf: ts.SourceFile; gate: Gate } | undefined {
    const sf = this.sourceFile(file, text);
    if (!sf) {
      return undefined;
    }
    try {
      const gate = gateCalls(sf, (from, spec) => this.mayWrapPackage(from, spec));
      this.allowImports([...gate.imports].map((spec): [string, string] => [file, spec]));
      return { sf, gate };
    } catch {
      return undefined;
    }
  }

  /** Analyses one file; local modules are loaded as values lead there, up to MAX_IMPORT_DEPTH hops. */
  analyzeFile(file: string, onGate?: (g: Gate) => void): Finding[] {
    const text = this.overlay.get(file);
    const gated = text === undefined ? undefined : this.gateFirst(file, text);
    for (let round = 0; ; round++) {
      const requests: [string, string][] = [];
      const findings = this.analyzeOnce(file, requests, onGate, gated);
      if (round >= MAX_IMPORT_DEPTH || !this.allowImports(requests)) {
        return findings;
      }
    }
  }

  /** Forgets what was learnt about modules on disk (their wrapping answers, how specifiers resolve). */
  private forgetModules(): void {
    this.wraps.clear();
    this.resolved.clear();
  }

  /** One hop: does `text` import a local module that names a watched package (a wrapper)? */
  private importsCandidate(file: string, text: string): boolean {
    return relativeSpecifiers(text).some((spec) => {
      const target = this.resolveLocal(file, spec);
      const t = target && this.localText(target);
      return t !== undefined && mentionsWatchedPackage(t);
    });
  }

  /**
   * The file a relative specifier names (overlay or disk), tried with the usual extensions. Answers are
   * kept (a scan asks for the same shared modules from thousands of files) until a text changes.
   */
  private resolveLocal(from: string, spec: string): string | undefined {
    const base = path.resolve(path.dirname(from), spec);
    const known = this.resolved.get(base);
    if (known !== undefined) {
      return known ?? undefined;
    }
    let found: string | null = null;
    for (const ext of RESOLVE_EXTS) {
      const target = base + ext;
      if (this.overlay.has(target) || isFileOnDisk(target)) {
        found = target;
        break;
      }
    }
    if (this.resolved.size >= MAX_RESOLVED) {
      this.resolved.clear();
    }
    this.resolved.set(base, found);
    return found ?? undefined;
  }

  private localText(file: string): string | undefined {
    const o = this.overlay.get(file);
    if (o !== undefined) {
      return o;
    }
    try {
      return fs.statSync(file).size <= this.opts.maxFileSize ? fs.readFileSync(file, 'latin1') : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Can a call through something imported from `spec` (relative to `from`) reach a watched package?
   * Only if that module, or one it imports within a few hops, names one (a wrapper). Calls through
   * other local modules (`tools.normalizePath()`) are not evaluated, so their modules are not loaded.
   * Unresolvable specifiers answer yes (the checker decides).
   */
  private mayWrapPackage(from: string, spec: string, depth = 0, seen = new Set<string>()): boolean {
    const target = this.resolveLocal(from, spec);
    if (!target) {
      return depth === 0;
    }
    const known = this.wraps.get(target);
    if (known !== undefined || seen.has(target)) {
      return known ?? false;
    }
    seen.add(target);
    const text = this.localText(target);
    const wraps =
      text === undefined ||
      mentionsWatchedPackage(text) ||
      (depth < WRAP_DEPTH &&
        relativeSpecifiers(text).some((sp) => this.mayWrapPackage(target, sp, depth + 1, seen)));
    // A "no" reached through a cycle is only final for the module the question started from.
    if (wraps || depth === 0) {
      this.wraps.set(target, wraps);
    }
    return wraps;
  }

  /**
   * Editor entry point: analyses `text` as the content of `file`. Files that do not mention a watched
   * package cost one regex test.
   */
  analyzeText(file: string, text: string): Finding[] {
    if (!isCandidate(file, text) && !this.overlay.has(file) && !this.importsCandidate(file, text)) {
      this.reuse.delete(file);
      return [];
    }
    const failed = this.failed.get(file);
    if (failed?.text === text) {
      this.setSource(file, text);
      throw new AnalysisSkipped(failed.reason);
    }
    let moved: Finding[] | undefined;
    try {
      moved = this.reuseAfterEdit(file, text);
    } catch {
      // The fast path could not follow the edit: the full analysis below decides (and skips the file
      // with a reason if it cannot be analysed either), from a new parse.
      this.reuse.delete(file);
      this.parsed.delete(file);
      this.revision++;
    }
    if (moved) {
      return moved;
    }
    this.setSource(file, text);
    try {
      let gate: Gate | undefined;
      const findings = this.analyzeFile(file, (g) => (gate = g));
      const sf = this.parsed.get(file);
      if (gate && sf?.text === text) {
        this.reuse.set(file, {
          text,
          findings,
          ...relevance(sf, gate.gated),
          ...gateShape(sf, gate),
          context: this.reuseContext(),
        });
      } else {
        this.reuse.delete(file);
      }
      return findings;
    } catch (e) {
      this.reuse.delete(file);
      throw new AnalysisSkipped(this.giveUp(file, e));
    }
  }

  /** What a reusable result depends on besides its own text. */
  private reuseContext(): string {
    return `${this.revision}|${this.env.revision}|${this.opts.now().toISOString().slice(0, 10)}`;
  }

  /**
   * The previous findings of `file` moved to their new offsets, when the edit from the previously analysed
   * text cannot change them (see reuse.ts); undefined otherwise. Re-parses incrementally and re-runs the
   * syntactic gate, but neither binds nor checks.
   */
  private reuseAfterEdit(file: string, text: string): Finding[] | undefined {
    const prev = this.opts.reuseEdits ? this.reuse.get(file) : undefined;
    const old = this.parsed.get(file);
    if (
      !prev ||
      prev.context !== this.reuseContext() ||
      old?.text !== prev.text ||
      this.overlay.get(file) !== prev.text
    ) {
      return undefined;
    }
    const edit = inertEdit(prev, text);
    if (!edit) {
      return undefined;
    }
    const sf = ts.updateSourceFile(old, text, textChange(edit));
    // The parse is kept either way (a full analysis of this text reuses it); the text changed, so the
    // program is rebuilt on the next full analysis.
    this.parsed.set(file, sf);
    this.overlay.set(file, text);
    this.dirty = true;
    const shape = gateShape(
      sf,
      gateCalls(sf, (from, spec) => this.mayWrapPackage(from, spec)),
    );
    const findings = sameShape(prev, shape, edit) ? shiftFindings(prev.findings, file, edit, sf) : undefined;
    if (!findings) {
      this.reuse.delete(file);
      this.revision++;
      return undefined;
    }
    // Other files' results may read this one: they are not reused after it changed.
    this.revision++;
    this.reuse.set(file, {
      ...shiftState(prev, text, edit, findings, shape.gated),
      context: this.reuseContext(),
    });
    this.reused++;
    return findings;
  }
}

/**
 * A copy of findings whose strings no longer point into the source texts: V8 keeps a whole file's text
 * alive for any slice of it, so findings kept across batches would keep every candidate's text.
 */
export function detach(findings: Finding[]): Finding[] {
  return structuredClone(findings);
}

/** Candidates waiting for analysis, taken a batch at a time (see BATCH_FILES in scanner.ts). */
export class Batch {
  private texts = new Map<string, string>();
  private textBytes = 0;

  add(file: string, text: string): void {
    this.texts.set(file, text);
    this.textBytes += text.length;
  }

  full(): boolean {
    return this.texts.size >= BATCH_FILES || this.textBytes >= BATCH_BYTES;
  }

  get size(): number {
    return this.texts.size;
  }

  /** UTF-16 code units of text in the batch (about its bytes). */
  get bytes(): number {
    return this.size ? this.textBytes : 0;
  }

  /** A full batch at most, first come first served; what is left waits for the next one. */
  take(): Map<string, string> {
    const out = new Map<string, string>();
    let bytes = 0;
    for (const [file, text] of this.texts) {
      if (out.size >= BATCH_FILES || (out.size && bytes + text.length > BATCH_BYTES)) {
        break;
      }
      out.set(file, text);
      bytes += text.length;
      this.texts.delete(file);
    }
    this.textBytes -= bytes;
    return out;
  }
}

/** What mayWrapPackage reads from a module's text: whether it names a watched package, and its imports. */
function wrapKey(text: string): string {
  return `${mentionsWatchedPackage(text)}|${relativeSpecifiers(text).join('|')}`;
}

/** Import hops followed from an analysed file (config → re-export → constants is 3). */
const MAX_IMPORT_DEPTH = 4;
/** Import hops searched for a watched package behind a local module (wrapper → wrapper → package). */
const WRAP_DEPTH = 3;
/** Text of the parses of files outside a released batch kept for the next batches (see release). */
const KEPT_PARSE_CHARS = 2 * 1024 * 1024;
/** resolveLocal answers kept at most (a bound for huge workspaces; the cache starts over past it). */
const MAX_RESOLVED = 50_000;

/** Whether `file` is a file on disk; a missing one costs no exception (most candidates tried are). */
function isFileOnDisk(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

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

/**
 * Parses a module. JSDoc comments are skipped (JSDocParsingMode.ParseNone): in JavaScript files TypeScript
 * parses every one of them for types by default, which the detectors never use; the incremental parser
 * keeps the mode of the file it updates. Parent pointers are left to the binder, which sets them on
 * every node it visits (every file is bound right after its parse, see sourceFile; without
 * bindSourceFile the checker binds before any detector runs): a second walk of the tree saved.
 */
function parseFile(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(
    file,
    text,
    {
      languageVersion: COMPILER_OPTIONS.target ?? ts.ScriptTarget.ES2022,
      jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
    },
    false,
    scriptKind(file),
  );
}

/**
 * Binds a parsed file as the checker would (TypeScript's own bindSourceFile, which does nothing for a
 * bound file): the checker binds every file of the program at once, so a file that overflows the stack
 * there would take all the others down. Not in the public typings; absent, the checker binds.
 */
const bindSourceFile = (sf: ts.SourceFile): void =>
  (ts as unknown as { bindSourceFile?: (sf: ts.SourceFile, o: ts.CompilerOptions) => void }).bindSourceFile?.(
    sf,
    COMPILER_OPTIONS,
  );

/** The parser's own errors (TypeScript keeps them on the file; not in the public typings). */
const hasSyntaxErrors = (sf: ts.SourceFile): boolean =>
  ((sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0) > 0;

/** An edit (see diffSpan) as TypeScript's incremental parser wants it. */
function textChange(edit: { start: number; oldEnd: number; newEnd: number }): ts.TextChangeRange {
  return ts.createTextChangeRange(
    ts.createTextSpan(edit.start, edit.oldEnd - edit.start),
    edit.newEnd - edit.start,
  );
}

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

/** The innermost node that starts at or spans `pos` (for suppression comments of file-level findings). */
function nodeAt(sf: ts.SourceFile, pos: number): ts.Node {
  let n: ts.Node = sf;
  for (let next: ts.Node | undefined = sf; next; ) {
    n = next;
    next = ts.forEachChild(n, (c) => (c.getStart(sf) <= pos && pos < c.end ? c : undefined));
  }
  return n;
}

/** What analyzeSourceFile needs besides the file and the checker. */
export interface FileContext {
  env: EnvIndex;
  root: string;
  extraHosts: readonly string[];
  reportUnresolved: boolean;
  now: Date;
  /** Records a local import a value led to that the program has not loaded yet. */
  requestImport?: (fromFile: string, specifier: string) => void;
  /** Whether a local module may wrap a watched package (Analyzer.mayWrapPackage); absent: assume so. */
  mayWrap?: (fromFile: string, specifier: string) => boolean;
  /** Receives the calls the gate let through and the module bindings (the editor's reuse uses them). */
  onGate?: (gate: Gate) => void;
  /** The file's gate when it was worked out already (analyzeCandidates does, once for all its rounds). */
  gate?: Gate;
}

/** Runs every detector on one parsed file. Exported for tests that build their own programs. */
export function analyzeSourceFile(sf: ts.SourceFile, checker: ts.TypeChecker, fc: FileContext): Finding[] {
  const findings: Finding[] = [];
  const ev = new Evaluator({
    checker,
    env: fc.env,
    root: fc.root,
    requestImport: fc.requestImport,
    intrinsics,
  });
  const ctx: DetectorContext = {
    ev,
    checker,
    sourceFile: sf,
    options: { extraHosts: fc.extraHosts, reportUnresolved: fc.reportUnresolved, now: fc.now },
    report: (f) => findings.push(f),
  };
  const gate = fc.gate ?? gateCalls(sf, fc.mayWrap);
  const configs = fileDetectors.filter((d) => d.appliesTo?.(sf));
  // A framework config is not made of gated calls: the editor's reuse (see reuse.ts) must not apply.
  if (!configs.length) {
    fc.onGate?.(gate);
  }
  for (const node of gate.gated) {
    try {
      inspect(node, ctx);
    } catch (e) {
      // One odd node must not end the file's analysis (TypeStat's collectMutationsFromNodes does the
      // same); a stack overflow does: the checker may be left half-way, and the file is skipped.
      if (isStackOverflow(e)) {
        throw e;
      }
    }
  }
  for (const d of configs) {
    try {
      d.detectFile?.(sf, {
        ...ctx,
        report: (f) => !isSuppressed(nodeAt(sf, f.span.start), sf) && ctx.report(f),
      });
    } catch {
      // as above
    }
  }
  return findings;
}

function inspect(node: ts.CallExpression | ts.NewExpression, ctx: DetectorContext): void {
  if (isPasswordGrantCall(node)) {
    const grant = detectMsalPasswordGrant(node, ctx);
    if (grant && !isSuppressed(node, ctx.sourceFile)) {
      ctx.report(grant);
    }
    return;
  }
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
    sub: callee.sub,
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
