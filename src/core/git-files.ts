/**
 * The walk inside a git work tree: `git ls-files` lists the tracked files and the untracked ones that
 * .gitignore does not exclude (git answers every .gitignore, .git/info/exclude and the global excludes
 * exactly, from its index, far faster than reading every folder and matching patterns per entry). The
 * skip rules and reasons of the folder walk (files.ts) are applied to the listed paths.
 *
 * Not used (the folder walk runs instead) outside a work tree, when git is missing or fails, in a
 * repository with submodules or with another repository inside (git lists either as one entry),
 * where git lists nothing (an ignored folder), or with MAIL_OAUTH_NO_GIT=1.
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

/** The files git sees under `root` (a folder), or undefined when the folder walk must run instead. */
export async function gitListing(root: string): Promise<GitListing | undefined> {
  if (process.env.MAIL_OAUTH_NO_GIT === '1') {
    return undefined;
  }
  // The four questions at once (each git run costs a process start): where the work tree's top is,
  // the tracked files with their modes (`<mode> <object> <stage>\t<path>`: links are 120000), the
  // untracked files .gitignore does not exclude, and the tracked files deleted from the work tree.
  const answers = await Promise.allSettled([
    git(root, ['rev-parse', '--show-toplevel']),
    git(root, ['ls-files', '-z', '--stage']),
    git(root, ['ls-files', '-z', '--others', '--exclude-standard']),
    git(root, ['ls-files', '-z', '--deleted']),
  ]);
  if (answers.some((a) => a.status === 'rejected')) {
    return undefined;
  }
  const [topOut, stageOut, othersOut, deletedOut] = answers.map(
    (a) => (a as PromiseFulfilledResult<Buffer>).value,
  );
  try {
    const top = topOut.toString('utf8').trim();
    if (!top || fs.existsSync(path.join(top, '.gitmodules'))) {
      return undefined;
    }
    const split = (b: Buffer): string[] => b.toString('utf8').split('\0').filter(Boolean);
    const links: string[] = [];
    const tracked = split(stageOut).map((line) => {
      const tab = line.indexOf('\t');
      const rel = line.slice(tab + 1);
      if (line.startsWith('120000 ')) {
        links.push(rel);
      }
      return rel;
    });
    const others = split(othersOut);
    const listed = [...new Set(tracked), ...others];
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
    const deleted = new Set(split(deletedOut));
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
