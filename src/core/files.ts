/**
 * Workspace walk: JS/TS sources and dotenv files under the given paths, honouring .gitignore files,
 * skipping dependency and build folders, symlink loops and unreadable entries (each with a reason).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { filterListing, gitListing } from './git-files';
import type { SkippedFile } from './model';

export const SOURCE_EXTENSIONS = ['.js', '.cjs', '.mjs', '.jsx', '.ts', '.cts', '.mts', '.tsx'];

/** Folders never descended into, with the reason reported. */
const SKIPPED_DIRS: Record<string, string> = {
  node_modules: 'dependencies (node_modules)',
  bower_components: 'dependencies (bower_components)',
  '.git': 'version control',
  '.hg': 'version control',
  '.svn': 'version control',
  dist: 'build output',
  build: 'build output',
  out: 'build output',
  coverage: 'build output',
  '.next': 'build output',
  '.nuxt': 'build output',
  '.output': 'build output',
  '.svelte-kit': 'build output',
  '.turbo': 'build output',
  '.cache': 'build output',
};

export interface WalkOptions {
  /** Folder names to skip in addition to the defaults. */
  excludeDirs?: readonly string[];
  /** gitignore-style patterns (relative to the walk root) to skip. */
  exclude?: readonly string[];
  isEnvFile(base: string): boolean;
  signal?: AbortSignal;
}

export interface WalkResult {
  sources: string[];
  envFiles: string[];
  skipped: SkippedFile[];
}

export function isSourceFile(file: string): boolean {
  return SOURCE_EXTENSIONS.includes(path.extname(file).toLowerCase()) && !DECLARATION.test(file);
}

const DECLARATION = /\.d\.[cm]?ts$/i;

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const err = new Error('Scan cancelled');
    err.name = 'AbortError';
    throw err;
  }
}

interface IgnoreScope {
  dir: string;
  ig: Ignore;
}

export async function walk(roots: readonly string[], opts: WalkOptions): Promise<WalkResult> {
  const result: WalkResult = { sources: [], envFiles: [], skipped: [] };
  const seenDirs = new Set<string>();
  /** Real paths of the work trees git listed: a link into one leads to files listed already. */
  const gitTrees: string[] = [];
  const seenFiles = new Set<string>();
  const excludeDirs = new Set(opts.excludeDirs ?? []);
  const userIgnore = opts.exclude?.length ? ignore().add([...opts.exclude]) : undefined;
  let ticks = 0;

  const ignored = (abs: string, isDir: boolean, scopes: IgnoreScope[], root: string): boolean => {
    for (const s of scopes) {
      const rel = path.relative(s.dir, abs).split(path.sep).join('/');
      if (rel && !rel.startsWith('..') && s.ig.ignores(isDir ? `${rel}/` : rel)) {
        return true;
      }
    }
    if (userIgnore) {
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (rel && !rel.startsWith('..') && userIgnore.ignores(isDir ? `${rel}/` : rel)) {
        return true;
      }
    }
    return false;
  };

  /** A folder the rules skip by name; dependency and VCS folders are not listed, build output is. */
  const skipsDir = (abs: string, name: string): boolean => {
    const why = SKIPPED_DIRS[name] ?? (excludeDirs.has(name) ? 'excluded by settings' : undefined);
    if (why === 'build output' || why === 'excluded by settings') {
      result.skipped.push({ file: abs, reason: why });
    }
    return why !== undefined;
  };
  /** The real path and kind of a symbolic link's target, or undefined (reported) when it has none. */
  const linkTarget = (abs: string): { target: string; st: fs.Stats } | undefined => {
    try {
      const target = fs.realpathSync(abs);
      return { target, st: fs.statSync(target) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      result.skipped.push({
        file: abs,
        reason: code === 'ELOOP' ? 'symlink loop' : `broken symlink (${code ?? 'error'})`,
      });
      return undefined;
    }
  };

  const addFile = (abs: string, real: string): void => {
    if (seenFiles.has(real)) {
      return;
    }
    seenFiles.add(real);
    const base = abs.slice(abs.lastIndexOf(path.sep) + 1);
    if (opts.isEnvFile(base)) {
      result.envFiles.push(abs);
    } else if (isSourceFile(abs)) {
      result.sources.push(abs);
    }
  };

  /**
   * `real` is the directory's real path, known without a syscall unless a symlink led here; loops can
   * only come through symlinks, so `ancestors` (real paths on the current path) is enough to stop them.
   */
  const visitDir = async (
    dir: string,
    real: string,
    scopes: IgnoreScope[],
    root: string,
    ancestors: Set<string>,
  ): Promise<void> => {
    if (++ticks % 64 === 0) {
      throwIfAborted(opts.signal);
      // Let other work (progress, cancellation, the extension host) run during long walks.
      await new Promise<void>((r) => setImmediate(r));
    }
    if (seenDirs.has(real) || gitTrees.some((t) => real === t || real.startsWith(t + path.sep))) {
      result.skipped.push({
        file: dir,
        reason: ancestors.has(real) ? 'symlink loop' : 'symlink to a folder that is already scanned',
      });
      return;
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      result.skipped.push({
        file: dir,
        reason: `unreadable folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      });
      return;
    }
    seenDirs.add(real);
    const here = new Set(ancestors).add(real);
    let nextScopes = scopes;
    if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
      try {
        const ig = ignore().add(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'));
        nextScopes = [...scopes, { dir, ig }];
      } catch (e) {
        result.skipped.push({
          file: path.join(dir, '.gitignore'),
          reason: `unreadable .gitignore (${String(e)})`,
        });
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Plain concatenation: `dir` and `real` are already normalised, and path.join per entry costs
    // more than the readdir itself over a large tree.
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const realPrefix = real === dir ? prefix : real.endsWith(path.sep) ? real : real + path.sep;
    for (const entry of entries) {
      const abs = prefix + entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let target = realPrefix === prefix ? abs : realPrefix + entry.name;
      if (entry.isSymbolicLink()) {
        const linked = linkTarget(abs);
        if (!linked) {
          continue;
        }
        target = linked.target;
        isDir = linked.st.isDirectory();
        isFile = linked.st.isFile();
      }
      if (isDir) {
        if (skipsDir(abs, entry.name)) {
          continue;
        }
        if (ignored(abs, true, nextScopes, root)) {
          continue;
        }
        await visitDir(abs, target, nextScopes, root, here);
      } else if (isFile && (isSourceFile(entry.name) || opts.isEnvFile(entry.name))) {
        if (ignored(abs, false, nextScopes, root)) {
          continue;
        }
        addFile(abs, target);
      }
    }
  };

  /** A symbolic link listed by git: followed like the folder walk follows one (skip rules, loops). */
  const followGitLink = async (link: string, realRoot: string, root: string): Promise<void> => {
    const linked = linkTarget(link);
    if (!linked?.st.isDirectory() || skipsDir(link, link.slice(link.lastIndexOf(path.sep) + 1))) {
      return;
    }
    const { target } = linked;
    await visitDir(link, target, [], root, new Set([realRoot]));
  };

  for (const r of roots) {
    const abs = path.resolve(r);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(abs);
    } catch (e) {
      result.skipped.push({
        file: abs,
        reason: `cannot read path (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      });
      continue;
    }
    const listing = st.isDirectory() ? await gitListing(abs) : undefined;
    if (listing) {
      // Inside a git work tree: git lists the files (and answers .gitignore); the folder rules apply.
      const linked = new Set(listing.links);
      const { sources, envFiles, links } = filterListing(
        listing.files,
        abs,
        (name) => SKIPPED_DIRS[name] ?? (excludeDirs.has(name) ? 'excluded by settings' : undefined),
        (rel, base) => {
          if (linked.has(rel) && !isSourceFile(base) && !opts.isEnvFile(base)) {
            return userIgnore?.ignores(`${rel}/`) ? undefined : 'link';
          }
          const kind = opts.isEnvFile(base) ? 'env' : isSourceFile(base) ? 'source' : undefined;
          return kind && !userIgnore?.ignores(rel) ? kind : undefined;
        },
        result.skipped,
      );
      // (classified already by filterListing: only the duplicate check of addFile is needed)
      for (const [list, out] of [
        [envFiles, result.envFiles],
        [sources, result.sources],
      ]) {
        for (const f of list) {
          if (!seenFiles.has(f)) {
            seenFiles.add(f);
            out.push(f);
          }
        }
      }
      // Git lists a link to a folder as one entry: the folder walk follows it, with its rules. A link
      // into the work tree itself leads to files git listed already (or loops back to an ancestor).
      const realRoot = await fs.promises.realpath(abs);
      gitTrees.push(realRoot);
      for (const link of links) {
        await followGitLink(link, realRoot, abs);
      }
    } else if (st.isDirectory()) {
      await visitDir(abs, await fs.promises.realpath(abs), [], abs, new Set());
    } else if (st.isFile()) {
      addFile(abs, await fs.promises.realpath(abs));
    }
  }
  return result;
}
