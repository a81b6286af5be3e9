/**
 * The TypeScript compiler API for the core: the very copy ts-morph runs on
 * (@ts-morph/common/dist/typescript.js, so types and nodes are shared with the fixes), loaded with a plain
 * `require`. Importing `ts` from 'ts-morph' instead would put every `ts.x` behind three getter layers
 * (esbuild's interop object, @ts-morph/common's namespace copy, TypeScript's own exports) and pull
 * ts-morph, its bundled lib .d.ts texts (3 MB) and their dependencies into the scan worker's bundle.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the plain require is the point (see above)
import ts = require('@ts-morph/common/dist/typescript');

export { ts };
