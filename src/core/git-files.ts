/**
 * The walk inside a git work tree: `git ls-files` lists the tracked files and the untracked ones that
 * .gitignore does not exclude (git answers every .gitignore, .git/info/exclude and the global excludes
 * exactly, from its index, far faster than reading every folder and matching patterns per entry). The
 * skip rules and reasons of the folder walk (files.ts) are applied to the listed paths.
 *
 * Not used (the folder walk runs instead) outside a work tree (no git process is started there), when
 * git is missing or fails, in a repository with submodules or with another repository inside (git lists
 * either as one entry), where git lists nothing (an ignored folder), with GIT_DIR or GIT_WORK_TREE set,
 * or with MAIL_OAUTH_NO_GIT=1.
 * Git lists a symbolic link as one entry, not what it points to: links to folders are returned apart
 * (`links`), and the walk follows them with the folder walk's rules and loop protection (files.ts).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SkippedFile } from './model';

export interface GitListing {
  /** Paths relative to the root, '/'-separated. */
  files: string[];
  /** The listed entries that are symbolic links (tracked with mode 120000, or untracked links). */
  links: string[];
}

const MAX_BUFFER = 512 * 1024 * 1024;

function git(root: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile(
      'git',
      args,
      { cwd: root, maxBuffer: MAX_BUFFER, encoding: 'buffer', windowsHide: true },
      (err: Error | null, stdout: Buffer) => (err ? reject(err) : resolve(stdout)),
    ),
  );
}

/**
 * The top of the work tree holding `dir`: the nearest folder with a `.git` entry (a folder, or a file in a
 * linked worktree or a submodule), found as git finds it, without starting a git process (each start
 * costs a fork of this process: ~15 ms of this thread's time). Undefined outside a work tree.
 */
function workTreeTop(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; ) {
    if (fs.existsSync(path.join(d, '.git'))) {
      return d;
    }
    const parent = path.dirname(d);
    if (parent === d) {
      return undefined;
    }
    d = parent;
  }
}

/** The files git sees under `root` (a folder), or undefined when the folder walk must run instead. */
export async function gitListing(root: string): Promise<GitListing | undefined> {
  // GIT_DIR / GIT_WORK_TREE point git elsewhere than the folders say: the folder walk is the safe answer.
  if (process.env.MAIL_OAUTH_NO_GIT === '1' || process.env.GIT_DIR || process.env.GIT_WORK_TREE) {
    return undefined;
  }
  const top = workTreeTop(root);
  if (!top || fs.existsSync(path.join(top, '.gitmodules'))) {
    return undefined;
  }
  // One git run answers everything: with -t each entry is tagged, `H`/`S`/`M`... `<mode> <object>
  // <stage>\t<path>` for a tracked file (links are mode 120000), `R ...` for a tracked file deleted from
  // the work tree, `? <path>` for an untracked file .gitignore does not exclude.
  let out: Buffer;
  try {
    out = await git(root, ['ls-files', '-z', '-t', '--stage', '--others', '--exclude-standard', '--deleted']);
  } catch {
    return undefined;
  }
  try {
    const links: string[] = [];
    const tracked = new Set<string>();
    const others: string[] = [];
    const deleted = new Set<string>();
    for (const entry of out.toString('utf8').split('\0')) {
      if (entry.length < 3 || entry[1] !== ' ') {
        continue;
      }
      const tag = entry[0];
      if (tag === '?') {
        others.push(entry.slice(2));
        continue;
      }
      const tab = entry.indexOf('\t');
      const rel = entry.slice(tab + 1);
      if (tag === 'R') {
        deleted.add(rel);
      } else {
        tracked.add(rel);
        if (entry.startsWith('120000 ', 2)) {
          links.push(rel);
        }
      }
    }
    const listed = [...tracked, ...others];
    if (!listed.length || others.some((f) => f.endsWith('/'))) {
      // A folder the repository ignores (build output, a cache inside a clone): the folder walk scans
      // it, as it always did (the .gitignore files above a scanned folder never counted there). A
      // repository inside the work tree is listed as one 'dir/' entry: the folder walk goes into it.
      return undefined;
    }
    for (const rel of others) {
      // Untracked entries are few: an lstat each finds the links among them.
      try {
        if (fs.lstatSync(path.join(root, rel)).isSymbolicLink()) {
          links.push(rel);
        }
      } catch {
        /* gone meanwhile: the read reports it */
      }
    }
    // Tracked files deleted from the work tree are still in the index.
    return deleted.size
      ? { files: listed.filter((f) => !deleted.has(f)), links: links.filter((f) => !deleted.has(f)) }
      : { files: listed, links };
  } catch {
    return undefined;
  }
}

/**
 * Applies the folder rules to a git listing: a path under a skipped folder is left out, and the folder
 * is reported once when its reason is worth a line (see files.ts). `keep` says what an entry is: a
 * source, a dotenv file, a symbolic link the walk may follow (`links`), or nothing to keep.
 */
export function filterListing(
  files: readonly string[],
  root: string,
  dirReason: (name: string) => string | undefined,
  keep: (rel: string, base: string) => 'source' | 'env' | 'link' | undefined,
  skipped: SkippedFile[],
): { sources: string[]; envFiles: string[]; links: string[] } {
  const sources: string[] = [];
  const envFiles: string[] = [];
  const links: string[] = [];
  const reported = new Set<string>();
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  for (const rel of files) {
    const slash = rel.lastIndexOf('/');
    const base = rel.slice(slash + 1);
    const kind = keep(rel, base);
    if (!kind) {
      continue;
    }
    let skip = false;
    for (let start = 0, end = rel.indexOf('/'); end >= 0 && end <= slash; end = rel.indexOf('/', start)) {
      const why = dirReason(rel.slice(start, end));
      if (why) {
        const dir = rel.slice(0, end);
        if ((why === 'build output' || why === 'excluded by settings') && !reported.has(dir)) {
          reported.add(dir);
          skipped.push({ file: prefix + dir.split('/').join(path.sep), reason: why });
        }
        skip = true;
        break;
      }
      start = end + 1;
    }
    if (!skip) {
      (kind === 'source' ? sources : kind === 'env' ? envFiles : links).push(
        prefix + (path.sep === '/' ? rel : rel.split('/').join(path.sep)),
      );
    }
  }
  return { sources, envFiles, links };
}
