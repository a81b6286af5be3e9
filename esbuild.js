// Bundles the CLI and the extension into dist/. `--production` minifies; `--watch` rebuilds on change.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the `file:line:col: error: text` form VS Code's problem matcher reads. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

/**
 * `require('./analyzer')` in the extension (src/extension.ts, src/vscode/**) stays a runtime require of
 * dist/analyzer.js, loaded lazily. Only there: src/core/index.ts imports its own './analyzer' module
 * (src/core/analyzer.ts), which must be bundled (a plain `external: ['./analyzer']` made dist/analyzer.js
 * require itself).
 */
const lazyAnalyzer = {
  name: 'lazy-analyzer',
  setup(build) {
    const path = require('path');
    const ext = path.join(__dirname, 'src', 'extension.ts');
    const glue = path.join(__dirname, 'src', 'vscode') + path.sep;
    build.onResolve({ filter: /^\.\/analyzer$/ }, (args) =>
      args.importer === ext || args.importer.startsWith(glue)
        ? { path: './analyzer', external: true }
        : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: [problemMatcher],
};

/**
 * The bundles that carry the TypeScript compiler (dist/cli-core.js, dist/scan-core.js, dist/analyzer.js) are always
 * minified: the source string V8 keeps for lazy compilation shrinks from ~15 MB to ~7 MB per thread
 * that loads it (memory the scan benchmark counts). Source maps still map stack traces back.
 */
const heavy = { minify: true, sourcemap: !production };

async function main() {
  const builds = [
    { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
    { ...common, ...heavy, entryPoints: ['src/cli-core.ts'], outfile: 'dist/cli-core.js' },
    { ...common, ...heavy, entryPoints: ['src/scan-core.ts'], outfile: 'dist/scan-core.js' },
    { ...common, entryPoints: ['src/cli-worker.ts'], outfile: 'dist/cli-worker.js' },
    // commands bundled on their own, loaded by dist/cli.js only when they run
    { ...common, entryPoints: ['src/core/explain/cli.ts'], outfile: 'dist/cli-explain.js' },
    { ...common, entryPoints: ['src/core/inventory/cli.ts'], outfile: 'dist/cli-inventory.js' },
    // the MCP server and its SDK; also run directly by the extension (`node dist/cli-mcp.js`)
    { ...common, minify: true, entryPoints: ['src/core/mcp/cli.ts'], outfile: 'dist/cli-mcp.js' },
    {
      ...common,
      ...heavy,
      // analyzer-worker: the extension's analyzer thread (src/vscode/analyzer-worker.ts), a small bundle that
      // requires dist/analyzer.js at run time (the lazy-analyzer plugin applies to src/vscode/ importers)
      entryPoints: {
        extension: 'src/extension.ts',
        analyzer: 'src/core/index.ts',
        'analyzer-worker': 'src/vscode/analyzer-worker.ts',
      },
      outdir: 'dist',
      external: ['vscode'],
      plugins: [problemMatcher, lazyAnalyzer],
      // the extension's own small bundles are minified with it (the packaged VSIX minifies everything anyway)
      metafile: !production,
    },
  ].filter((b) =>
    require('fs').existsSync(typeof b.entryPoints[0] === 'string' ? b.entryPoints[0] : 'src/extension.ts'),
  );
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  for (const ctx of contexts) {
    const result = await ctx.rebuild();
    if (result.metafile) require('fs').writeFileSync('dist/meta.json', JSON.stringify(result.metafile));
    await ctx.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
