/**
 * What the framework adapters share: reading a framework's env helper (`env('X', default)`,
 * `config.get('X')`) through the dotenv files, building the values a framework passes to a config
 * function, and finding the package a config file belongs to.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from '../ts';
import { returnedExpression, type Evaluator, type Intrinsic, type Prop, type Val } from '../resolve';
import { str } from './shared';

/**
 * `read('X', default)` on the environment: the dotenv value of X, else the default (keeping the
 * variable name, so the finding can say X is not set). `convert` turns the text into the helper's type.
 */
export function envReader(convert: (text: string) => string | number | boolean = (t) => t): Intrinsic {
  return (call: ts.CallExpression, ev: Evaluator): Val => {
    const [nameArg, dfltArg] = call.arguments;
    const name = nameArg ? str(ev.evaluate(nameArg)) : undefined;
    if (name === undefined) {
      return ev.unknown(call);
    }
    const v = ev.envValue(name, call);
    if (v.kind === 'value' && typeof v.value === 'string') {
      return { ...v, value: convert(v.value) };
    }
    if (dfltArg) {
      const d = ev.evaluate(dfltArg);
      return d.kind === 'value' ? { ...d, env: v.env } : d;
    }
    return v;
  };
}

const toInt = (t: string): string | number => (/^\s*-?\d+\s*$/.test(t) ? parseInt(t, 10) : t);
const toBool = (t: string): boolean => t === 'true';
/** Typed readers keyed by helper name (`env.int`, `env.bool`, ...). */
export const TYPED_READERS: Readonly<Record<string, (t: string) => string | number | boolean>> = {
  int: toInt,
  float: (t) => (Number.isFinite(Number(t)) ? Number(t) : t),
  bool: toBool,
};

/** A closed object value made of given properties (what a framework passes to a config function). */
export function objectVal(node: ts.Node, props: Record<string, Val>): Val {
  const map = new Map<string, Prop>();
  for (const [k, v] of Object.entries(props)) {
    map.set(k, { node, get: () => v });
  }
  return { kind: 'object', props: map, open: true, node };
}

/** The value a config function returns when its caller passes `args` (a plain config object stays as it is). */
export function configOf(ev: Evaluator, v: Val, args: Val[] = []): Val | undefined {
  if (v.kind === 'object') {
    return v;
  }
  if (v.kind !== 'function') {
    return undefined;
  }
  v.decl.parameters.forEach((p, i) => args[i] && ev.bindParameter(p, args[i]));
  const body = returnedExpression(v.decl);
  return body ? ev.evaluate(body) : undefined;
}

const pkgCache = new Map<string, { mtimeMs: number; deps: Set<string> } | null>();

/** Dependencies of the nearest package.json above `file` (read from disk, cached by mtime). */
export function nearestPackageDeps(file: string): Set<string> {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(pj);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) {
      const hit = pkgCache.get(pj);
      if (hit && hit.mtimeMs === st.mtimeMs) {
        return hit.deps;
      }
      const deps = new Set<string>();
      try {
        const json = JSON.parse(fs.readFileSync(pj, 'utf8')) as Record<string, unknown>;
        for (const key of ['dependencies', 'devDependencies', 'peerDependencies']) {
          const d = json[key];
          if (d && typeof d === 'object') {
            Object.keys(d).forEach((k) => deps.add(k));
          }
        }
      } catch {
        /* an unreadable package.json declares nothing */
      }
      pkgCache.set(pj, { mtimeMs: st.mtimeMs, deps });
      return deps;
    }
    if (path.dirname(dir) === dir) {
      return new Set();
    }
  }
}
