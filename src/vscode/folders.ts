/**
 * One warm Analyzer per workspace folder (files outside every folder get one per directory), each in a
 * worker thread of its own (analyzer-client.ts). The analyzer is created on first need: that is the moment
 * the worker loads the core (ts-morph + TypeScript), off the extension host thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import * as vscode from 'vscode';
import { type AnalyzerProxy, createAnalyzer } from './analyzer-client';
import { analyzerKey, type FolderSettings, readSettings } from './settings';

/** Folders never analysed in the editor either (the scan skips them, and build output, itself). */
const ALWAYS_SKIPPED = /(^|[\\/])(node_modules|bower_components|\.git)([\\/]|$)/;

export class FolderContext {
  settings: FolderSettings;
  /** Bumped whenever the analyzer is replaced; async work started under an older generation is dropped. */
  generation = 0;
  /** A workspace scan has filled diagnostics for the files of this folder (they are kept up to date). */
  scanned = false;
  private analyzer: AnalyzerProxy | undefined;
  private loading: Promise<AnalyzerProxy> | undefined;
  private includeIg: Ignore | undefined;
  private excludeIg: Ignore | undefined;
  /** Last time the analyzer was asked for (see endWhenIdle). */
  private lastUse = Date.now();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly key: string,
    readonly root: string,
    readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.settings = readSettings(folder?.uri ?? vscode.Uri.file(root));
    this.compileGlobs();
  }

  get name(): string {
    return this.folder?.name ?? path.basename(this.root);
  }

  /** The analyzer if it exists already (never creates one, never loads the core). */
  readyAnalyzer(): AnalyzerProxy | undefined {
    this.lastUse = Date.now();
    return this.analyzer?.failed ? undefined : this.analyzer;
  }

  /** Whether an analyzer worker is running for this folder (does not count as a use). */
  hasAnalyzer(): boolean {
    return !!this.analyzer && !this.analyzer.failed;
  }

  /** The analyzer, created (core loaded, dotenv files indexed) on first call. */
  getAnalyzer(): Promise<AnalyzerProxy> {
    this.lastUse = Date.now();
    if (this.analyzer?.failed) {
      this.log.warn(`analyzer worker of ${this.root} stopped; starting a new one`);
      this.reset();
    }
    if (this.analyzer) {
      return Promise.resolve(this.analyzer);
    }
    if (!this.loading) {
      const gen = this.generation;
      const p = this.create().then(
        (a) => {
          if (this.generation === gen) {
            this.analyzer = a;
            // starting took a while: the idle clock starts now, not at the request
            this.lastUse = Date.now();
            this.endWhenIdle();
          } else {
            a.dispose();
          }
          if (this.loading === p) {
            this.loading = undefined;
          }
          return a;
        },
        (e: unknown) => {
          if (this.loading === p) {
            this.loading = undefined;
          }
          throw e;
        },
      );
      this.loading = p;
    }
    return this.loading;
  }

  /**
   * Applies new settings. Returns 'analyzer' when the analyzer had to be dropped (host list, env files...),
   * 'files' when only the set of analysed files changed, 'publish' when only severities changed, or
   * undefined when nothing relevant changed.
   */
  update(): 'analyzer' | 'files' | 'publish' | undefined {
    const next = readSettings(this.folder?.uri ?? vscode.Uri.file(this.root));
    const prev = this.settings;
    this.settings = next;
    this.compileGlobs();
    if (prev.analyzerIdleMinutes !== next.analyzerIdleMinutes && this.analyzer) {
      this.endWhenIdle();
    }
    if (analyzerKey(prev) !== analyzerKey(next)) {
      this.reset();
      return 'analyzer';
    }
    if (JSON.stringify(prev.include) !== JSON.stringify(next.include)) {
      return 'files';
    }
    if (JSON.stringify(prev.severity) !== JSON.stringify(next.severity) || prev.authFlow !== next.authFlow) {
      return 'publish';
    }
    return undefined;
  }

  /**
   * Ends the analyzer worker (and frees its memory: the compiler, the parsed files) once it has not been
   * used for `mailOAuth.analyzerIdleMinutes`; the next use starts a new one. Findings stay shown.
   */
  private endWhenIdle(): void {
    clearInterval(this.idleTimer);
    const idleMs = (): number => this.settings.analyzerIdleMinutes * 60_000;
    this.idleTimer = setInterval(
      () => {
        const a = this.analyzer;
        if (!a || !idleMs() || a.busy() || Date.now() - this.lastUse < idleMs()) {
          return;
        }
        this.log.info(
          `analyzer worker for ${this.root} ended after ${this.settings.analyzerIdleMinutes} min unused (a new one starts on next use)`,
        );
        this.reset();
      },
      Math.max(250, Math.min(30_000, idleMs() / 4 || 30_000)),
    );
    this.idleTimer.unref();
  }

  /** Drops the analyzer; the next use creates a fresh one with the current settings. */
  reset(): void {
    clearInterval(this.idleTimer);
    this.idleTimer = undefined;
    this.analyzer?.dispose(); // once the calls in flight are answered
    this.generation++;
    this.analyzer = undefined;
    this.loading = undefined;
  }

  /** Whether a file of this folder is analysed at all (include/exclude settings, dependency folders). */
  accepts(file: string): boolean {
    const rel = path.relative(this.root, file).split(path.sep).join('/');
    if (!rel || rel.startsWith('../') || path.isAbsolute(rel)) {
      // outside the folder (a loose file's own directory is its root): only the global rules apply
      return !ALWAYS_SKIPPED.test(file);
    }
    if (ALWAYS_SKIPPED.test(rel)) {
      return false;
    }
    if (this.excludeIg?.ignores(rel)) {
      return false;
    }
    return !this.includeIg || this.includeIg.ignores(rel);
  }

  private compileGlobs(): void {
    this.includeIg = this.settings.include.length ? ignore().add(this.settings.include) : undefined;
    this.excludeIg = this.settings.exclude.length ? ignore().add(this.settings.exclude) : undefined;
  }

  private async create(): Promise<AnalyzerProxy> {
    const t0 = performance.now();
    const s = this.settings;
    const analyzer = createAnalyzer(this.root, {
      extraHosts: s.extraHosts,
      reportUnresolved: s.reportUnresolvedHosts,
      envFiles: s.envFiles,
      maxFileSize: s.maxFileSize,
      exclude: s.exclude,
    });
    let envCount = 0;
    try {
      for (const file of await this.findEnvFiles(analyzer)) {
        try {
          analyzer.envAdd(file, await fs.promises.readFile(file, 'utf8'));
          envCount++;
        } catch (e) {
          this.log.warn(`cannot read ${file}: ${String(e)}`);
        }
      }
      await analyzer.ready();
    } catch (e) {
      analyzer.dispose();
      throw e;
    }
    this.log.info(
      `analyzer for ${this.root} ready in ${Math.round(performance.now() - t0)} ms (${envCount} dotenv file(s))`,
    );
    return analyzer;
  }

  private async findEnvFiles(analyzer: AnalyzerProxy): Promise<string[]> {
    const isEnv = async (files: string[]): Promise<string[]> =>
      (await analyzer.envFilesAmong(files.filter((f) => this.accepts(f)))).sort();
    if (!this.folder) {
      let names: string[];
      try {
        names = await fs.promises.readdir(this.root);
      } catch {
        return [];
      }
      return isEnv(names.map((b) => path.join(this.root, b)));
    }
    const uris = await vscode.workspace.findFiles(
      new vscode.RelativePattern(this.folder, '**/.env*'),
      '**/{node_modules,bower_components,.git}/**',
      5000,
    );
    return isEnv(uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath));
  }
}
