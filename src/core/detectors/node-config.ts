/**
 * The `config` package (node-config): `config.get('mail')` reads `config/default.json` of the app (the folder of
 * the nearest package.json, or NODE_CONFIG_DIR when it is set in a dotenv file). The value keeps its nodes in the
 * JSON file, so a finding points at the password there and the fix removes it from that file (as for
 * `require('./mail.json')`). Per-environment files (production.json, …) and non-JSON formats are not read.
 *
 * ❌ nodemailer.createTransport(config.get('mail'))   with config/default.json { "mail": { "host": "smtp.office365.com", "auth": { "pass": … } } }
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from '../ts';
import { intrinsicKey, type Evaluator, type Intrinsic, type Val } from '../resolve';
import { str } from './shared';

const jsonCache = new Map<string, { mtimeMs: number; sf: ts.JsonSourceFile } | null>();

function readJson(file: string): ts.JsonSourceFile | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  const hit = jsonCache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs) {
    return hit.sf;
  }
  if (!st.isFile() || st.size > 1024 * 1024) {
    return undefined;
  }
  const sf = ts.parseJsonText(file, fs.readFileSync(file, 'utf8'));
  // parent pointers: findings point into the file (getSourceFile() walks up to it)
  setParents(sf);
  jsonCache.set(file, { mtimeMs: st.mtimeMs, sf });
  return sf;
}

function setParents(node: ts.Node): void {
  ts.forEachChild(node, (child) => {
    (child as { parent: ts.Node }).parent = node;
    setParents(child);
  });
}

/** config/default.json of the package `file` belongs to. */
function defaultConfig(file: string, ev: Evaluator, at: ts.Node): ts.JsonSourceFile | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      const custom = ev.envValue('NODE_CONFIG_DIR', at);
      const configDir = custom.kind === 'value' && typeof custom.value === 'string' ? path.resolve(dir, custom.value) : path.join(dir, 'config');
      return readJson(path.join(configDir, 'default.json'));
    }
    if (path.dirname(dir) === dir) {
      return undefined;
    }
  }
}

/** `config.get('a.b')`: the value at that path in config/default.json. */
const configGet: Intrinsic = (call: ts.CallExpression, ev: Evaluator): Val => {
  const key = call.arguments[0] ? str(ev.evaluate(call.arguments[0])) : undefined;
  const json = key === undefined ? undefined : defaultConfig(call.getSourceFile().fileName, ev, call);
  if (key === undefined || !json) {
    return ev.unknown(call);
  }
  let v: Val = ev.evalModuleFile(json);
  for (const part of key.split('.')) {
    const p = v.kind === 'object' ? v.props.get(part) : undefined;
    if (!p) {
      return ev.unknown(call);
    }
    v = p.get();
  }
  return v;
};

export const NODE_CONFIG_INTRINSICS: Readonly<Record<string, Intrinsic>> = {
  [intrinsicKey('config', ['get'])]: configGet,
};
