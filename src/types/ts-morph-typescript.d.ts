// The TypeScript compiler file that ts-morph ships (see src/core/ts.ts): typed as ts-morph's `ts` namespace.
declare module '@ts-morph/common/dist/typescript' {
  import { ts } from '@ts-morph/common';
  export = ts;
}
