/** The package around a fixed file: its module system, package.json (the msal-node dependency) and .env.example. */
import * as path from 'node:path';
import { ts, type SourceFile } from 'ts-morph';
import type { FileEdit } from '../model';
import type { FixContext } from './index';
import { ENV_VARS } from './provider/env-vars';
import { minimalChange } from './text';

export const MSAL_RANGE = '^7.2.1';
export const NODEMAILER_RANGE = '^10.6.0';

export interface Pkg {
  root: string;
  type: 'module' | 'commonjs';
  json: string | undefined;
  nodeNextTs: boolean;
  /** tsconfig.json lets TypeScript import JavaScript modules (with their types). */
  allowJs: boolean;
}

export function findPackage(file: string, ctx: FixContext): Pkg {
  let dir = path.dirname(file);
  for (;;) {
    const json = ctx.readFile(path.join(dir, 'package.json'));
    if (json !== undefined) {
      let type: Pkg['type'] = 'commonjs';
      try {
        type = (JSON.parse(json) as { type?: string }).type === 'module' ? 'module' : 'commonjs';
      } catch {
        /* unparsable package.json: treat as CommonJS, and do not edit it */
      }
      const tsconfig = ctx.readFile(path.join(dir, 'tsconfig.json'));
      let nodeNextTs = type === 'module';
      let allowJs = false;
      if (tsconfig) {
        const cfg = ts.parseConfigFileTextToJson('tsconfig.json', tsconfig).config as
          | { compilerOptions?: { module?: string; moduleResolution?: string; allowJs?: boolean } }
          | undefined;
        allowJs = cfg?.compilerOptions?.allowJs === true;
        const mr = `${cfg?.compilerOptions?.moduleResolution ?? ''} ${cfg?.compilerOptions?.module ?? ''}`.toLowerCase();
        nodeNextTs = /node16|nodenext/.test(mr) && !/bundler/.test(mr) ? true : /bundler|commonjs|node10|\bnode\b/.test(mr) ? false : nodeNextTs;
      }
      return { root: dir, type, json, nodeNextTs, allowJs };
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return { root: path.dirname(file), type: 'commonjs', json: undefined, nodeNextTs: false, allowJs: false };
    }
    dir = parent;
  }
}

export function isEsmFile(file: string, pkg: Pkg, sf: SourceFile): boolean {
  if (/\.(mjs|mts)$/.test(file)) {
    return true;
  }
  if (/\.(cjs|cts)$/.test(file)) {
    return false;
  }
  if (/\.(ts|tsx)$/.test(file)) {
    return true;
  }
  return pkg.type === 'module' || sf.getImportDeclarations().length > 0;
}

export function importSpecifier(from: string, providerFile: string, pkg: Pkg): string {
  let rel = path.relative(path.dirname(from), providerFile).split(path.sep).join('/');
  if (!rel.startsWith('.')) {
    rel = `./${rel}`;
  }
  if (providerFile.endsWith('.ts')) {
    return pkg.nodeNextTs ? rel.replace(/\.ts$/, '.js') : rel.replace(/\.ts$/, '');
  }
  return rel;
}

/** The dependencies a provider's hooks need besides @azure/msal-node: sendOutlookEmail() sends with nodemailer itself. */
export function hookDependencies(parts: Iterable<string>): Record<string, string> {
  return [...parts].includes('nodemailer-outlook') ? { nodemailer: NODEMAILER_RANGE } : {};
}

/** Adds @azure/msal-node (and `more`) to the dependencies; a range the package already has is kept. */
export function packageJsonEdit(pkg: Pkg, more: Record<string, string> = {}): FileEdit | undefined {
  if (!pkg.json) {
    return undefined;
  }
  let parsed: Record<string, Record<string, string> | undefined>;
  try {
    parsed = JSON.parse(pkg.json) as typeof parsed;
  } catch {
    return undefined;
  }
  const has = (name: string): boolean => ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].some((k) => parsed[k]?.[name]);
  const missing = Object.entries({ '@azure/msal-node': MSAL_RANGE, ...more }).filter(([name]) => !has(name));
  if (!missing.length) {
    return undefined;
  }
  const indent = /\n([ \t]+)"/.exec(pkg.json)?.[1] ?? '  ';
  const deps = { ...(parsed.dependencies ?? {}), ...Object.fromEntries(missing) };
  const sorted = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  const next = JSON.stringify({ ...parsed, dependencies: sorted }, null, indent) + (pkg.json.endsWith('\n') ? '\n' : '');
  return { file: path.join(pkg.root, 'package.json'), expectedText: pkg.json, changes: [minimalChange(pkg.json, next)] };
}

export function envExampleEdit(root: string, ctx: FixContext): FileEdit | undefined {
  const file = path.join(root, '.env.example');
  const existing = ctx.readFile(file);
  const missing = Object.keys(ENV_VARS).filter((k) => !existing || !new RegExp(`^\\s*(export\\s+)?${k}\\s*=`, 'm').test(existing));
  if (!missing.length) {
    return undefined;
  }
  const block = [
    '# Mail OAuth (XOAUTH2) — app registration in Microsoft Entra ID. Values here are placeholders:',
    '# put real values in the deployment environment or an untracked .env, never in git.',
    ...missing.flatMap((k) => [`# ${ENV_VARS[k as keyof typeof ENV_VARS]}`, `${k}=`]),
    '',
  ].join('\n');
  if (existing === undefined) {
    return { file, create: true, changes: [{ start: 0, end: 0, newText: block }] };
  }
  const sep = existing.length && !existing.endsWith('\n') ? '\n\n' : existing.length ? '\n' : '';
  return { file, expectedText: existing, changes: [{ start: existing.length, end: existing.length, newText: sep + block }] };
}
