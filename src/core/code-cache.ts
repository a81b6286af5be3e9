/**
 * Loads a large CommonJS bundle (the analyzer with the TypeScript compiler) through a V8 code cache
 * kept in the OS temp folder, so a new process or worker does not compile ~15 MB of JavaScript again.
 * Used by the CLI's scan worker and the extension's analyzer worker. The cache is keyed by the bundle's
 * path, size and mtime and the Node version; a missing, stale or rejected cache only costs the normal
 * compile, and `saveCache` (set then) writes a fresh one — best called after the bundle has done real
 * work, so the cache also holds the functions that work compiled.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

export interface CachedModule {
  exports: unknown;
  /** Writes the code cache (the first call only; later calls do nothing); defined only when no usable cache existed. */
  saveCache?: () => void;
}

const M = Module as unknown as {
  wrap(code: string): string;
  _nodeModulePaths(dir: string): string[];
  new (id: string, parent: null): NodeJS.Module & { paths: string[]; require: NodeJS.Require };
};

export function requireWithCodeCache(file: string, name: string): CachedModule {
  const st = fs.statSync(file);
  const key = fnv1a(`${file}:${st.size}:${st.mtimeMs}:${process.version}`);
  const cacheFile = path.join(os.tmpdir(), `mail-oauth-migrator-${name}-${key}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    /* first run */
  }
  const script = new vm.Script(M.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = new M(file, null);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(path.dirname(file));
  (script.runInThisContext() as (...a: unknown[]) => void).call(
    mod.exports,
    mod.exports,
    (id: string) => mod.require(id),
    mod,
    file,
    path.dirname(file),
  );
  let saved = false;
  const saveCache =
    !cachedData || script.cachedDataRejected
      ? () => {
          if (saved) {
            return;
          }
          saved = true;
          try {
            const tmp = `${cacheFile}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, script.createCachedData());
            fs.renameSync(tmp, cacheFile);
            // Caches of earlier builds of this bundle are dead weight (~10 MB each): remove them.
            const prefix = `mail-oauth-migrator-${name}-`;
            for (const f of fs.readdirSync(os.tmpdir())) {
              if (f.startsWith(prefix) && f.endsWith('.v8cache') && path.join(os.tmpdir(), f) !== cacheFile) {
                fs.rmSync(path.join(os.tmpdir(), f), { force: true });
              }
            }
          } catch {
            /* no cache next time */
          }
        }
      : undefined;
  return { exports: mod.exports, saveCache };
}

/** A short stable key (64-bit FNV-1a in hex): node:crypto would cost the worker ~15 internal modules. */
function fnv1a(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h = BigInt.asUintN(64, (h ^ BigInt(s.charCodeAt(i))) * 0x100000001b3n);
  }
  return h.toString(16).padStart(16, '0');
}
