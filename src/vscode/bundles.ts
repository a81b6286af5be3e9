/** The CLI's small command bundles the extension reuses (dist/cli-explain.js, dist/cli-inventory.js). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Requires dist/<name>.js at run time, so its code stays out of dist/extension.js; from sources (tests run
 * under tsx, tsc output), the module at `source` (relative to src/vscode) instead.
 */
export function requireBundle<T>(name: string, source: string): T {
  const bundled = path.join(__dirname, `${name}.js`);
  const req = require;
  return req(fs.existsSync(bundled) ? bundled : path.join(__dirname, source)) as T;
}
