/**
 * Resolves `process.env.X` through the workspace's dotenv files, parsed with the `dotenv` library.
 * A lookup walks from the using file's folder up to the scan root; within a folder the precedence is
 * .env.local, .env.<mode>, .env, then the templates .env.example / .env.sample.
 */
import * as path from 'node:path';
import { parse } from 'dotenv';

export interface EnvHit {
  value: string;
  file: string;
  /** 1-based line of the assignment. */
  line: number;
  start: number;
  end: number;
  /** True when the value comes from a template (.env.example/.env.sample), i.e. a placeholder. */
  template: boolean;
}

/** Default dotenv file names, in precedence order; `.env.<mode>` files sit between `.env.local` and `.env`. */
export const DEFAULT_ENV_FILES = ['.env.local', '.env.*', '.env', '.env.example', '.env.sample'];

const TEMPLATE = /\.(example|sample|template|dist)$/;

interface ParsedEnv {
  file: string;
  values: Record<string, string>;
  text: string;
  /** locate() answers by variable name. */
  at: Map<string, { line: number; start: number; end: number }>;
}

export class EnvIndex {
  private readonly byDir = new Map<string, ParsedEnv[]>();
  /** Bumped on every add/remove (results that used the values know when they may be stale). */
  revision = 0;

  constructor(private readonly patterns: readonly string[] = DEFAULT_ENV_FILES) {}

  /** True when a base name is one of the configured dotenv files. */
  isEnvFile(base: string): boolean {
    return this.rank(base) >= 0;
  }

  /** Adds (or replaces) a dotenv file. Text that dotenv cannot parse simply yields no values. */
  add(file: string, text: string): void {
    this.revision++;
    const dir = path.dirname(file);
    const list = (this.byDir.get(dir) ?? []).filter((e) => e.file !== file);
    list.push({ file, values: parse(text), text, at: new Map() });
    list.sort((a, b) => this.rank(path.basename(a.file)) - this.rank(path.basename(b.file)) || a.file.localeCompare(b.file));
    this.byDir.set(dir, list);
  }

  remove(file: string): void {
    this.revision++;
    const dir = path.dirname(file);
    const list = this.byDir.get(dir);
    if (list) {
      this.byDir.set(
        dir,
        list.filter((e) => e.file !== file),
      );
    }
  }

  /** Every dotenv file with the variable `name`, and where it is set (Meteor reads MAIL_URL itself). */
  filesSetting(name: string): EnvHit[] {
    const out: EnvHit[] = [];
    for (const list of this.byDir.values()) {
      for (const env of list) {
        if (Object.prototype.hasOwnProperty.call(env.values, name)) {
          out.push({ value: env.values[name], file: env.file, template: TEMPLATE.test(env.file), ...locate(env.text, name) });
        }
      }
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const l of this.byDir.values()) {
      n += l.length;
    }
    return n;
  }

  /** Looks a variable up for a source file, nearest folder first, stopping at `root`. */
  lookup(name: string, fromFile: string, root: string): EnvHit | undefined {
    if (!this.byDir.size) {
      return undefined;
    }
    let dir = path.dirname(fromFile);
    const stop = path.resolve(root);
    for (;;) {
      for (const env of this.byDir.get(dir) ?? []) {
        if (Object.prototype.hasOwnProperty.call(env.values, name)) {
          // (where the assignment is, found once per file and name: a scan asks for the same ones often)
          let at = env.at.get(name);
          if (!at) {
            at = locate(env.text, name);
            env.at.set(name, at);
          }
          return { value: env.values[name], file: env.file, template: TEMPLATE.test(env.file), ...at };
        }
      }
      const parent = path.dirname(dir);
      if (dir === stop || parent === dir || !isInside(parent, stop)) {
        return undefined;
      }
      dir = parent;
    }
  }

  private rank(base: string): number {
    for (let i = 0; i < this.patterns.length; i++) {
      const p = this.patterns[i];
      if (p === base) {
        return i;
      }
      if (p.endsWith('*') && base.startsWith(p.slice(0, -1)) && !this.patterns.includes(base) && !TEMPLATE.test(base)) {
        return i;
      }
    }
    return -1;
  }
}

/** `dir` is `root` or a folder under it (both absolute and normalized; path.relative costs far more). */
function isInside(dir: string, root: string): boolean {
  if (process.platform === 'win32') {
    dir = dir.toLowerCase();
    root = root.toLowerCase();
  }
  return dir === root || dir.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** Finds the line that assigns `name` (the last one wins in dotenv, as in the shell). */
function locate(text: string, name: string): { line: number; start: number; end: number } {
  const re = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*[=:]`, 'gm');
  let m: RegExpExecArray | null;
  let last: RegExpExecArray | null = null;
  while ((m = re.exec(text))) {
    last = m;
  }
  const start = last ? last.index : 0;
  const lineEnd = text.indexOf('\n', start);
  const line = text.slice(0, start).split('\n').length;
  return { line, start, end: lineEnd < 0 ? text.length : lineEnd };
}
