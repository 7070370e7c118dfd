// Builds every bundle. `node esbuild.mjs [--production] [--watch] [--tests]`
//   product: dist/extension.js (cjs, vscode external), dist/cli.js, dist/webview/<name>.js (one iife per webview)
//   --tests: out/test/** (integration suites for the extension host, the harness) and out/bench/**
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

const require = createRequire(import.meta.url);

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

/** Prints build results in the form VS Code's esbuild problem matcher expects. */
const reporter = {
  name: 'reporter',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of [...result.errors, ...result.warnings]) {
        console.error(`✘ ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  plugins: [reporter],
};

/**
 * Heavy packages that stay out of the main bundles: each becomes dist/lazy/<name>.js,
 * required only when the code that imports it first runs (never at activation).
 */
const lazyPackages = {
  'gpt-tokenizer/encoding/o200k_base': 'o200k_base',
  'gpt-tokenizer/encoding/cl100k_base': 'cl100k_base',
  'gpt-tokenizer/encoding/o200k_harmony': 'o200k_harmony',
  '@pydantic/genai-prices': 'genai-prices',
  '@vscode/tree-sitter-wasm': 'tree-sitter',
};
/** Our own feature cores that only a command or provider needs: dist/lazy/<name>.js too. */
const lazyModules = {
  tokens: 'src/core/tokens/index.ts',
  otlp: 'src/core/otlp/index.ts',
  otlpWorker: 'src/core/otlp/traceSessionWorker.ts',
  trajectory: 'src/core/trajectory/index.ts',
  trajectoryWorker: 'src/core/trajectory/fileWorker.ts',
  // The deploy core and its ledger for the editor's deploy commands (node:sqlite only in the extension host).
  deploy: 'src/extension/deploy/deployCore.ts',
  // The collector and the dashboard's session for the editor's monitoring; the dashboard reads files in its own worker.
  monitor: 'src/extension/monitor/monitorCore.ts',
  dashboardWorker: 'src/core/monitor/dashboardWorker.ts',
  // The OTLP/HTTP collector's thread (startCollectorInWorker): the editor's event loop never parses a body or waits on an fsync.
  collectorWorker: 'src/core/monitor/collector/collectorWorker.ts',
};

/** `import('…/core/<name>/index')` of a lazy module (the name is its file in dist/lazy). */
const lazyModuleImport = /\/core\/(tokens|otlp|trajectory)\/index$/;

/** Rewrites imports of lazy packages and modules to requires of their files, relative to `dir`. */
function lazyPlugin(dir) {
  return {
    name: 'lazy',
    setup(build) {
      build.onResolve({ filter: /^(gpt-tokenizer\/encoding\/\w+|@pydantic\/genai-prices|@vscode\/tree-sitter-wasm)$/ }, (args) => {
        const name = lazyPackages[args.path];
        return name ? { path: `${dir}/${name}.js`, external: true } : undefined;
      });
      build.onResolve({ filter: lazyModuleImport }, (args) => ({ path: `${dir}/${lazyModuleImport.exec(args.path)?.[1]}.js`, external: true }));
      // The editor's deploy core: src/extension/deploy/deployCore.ts (no vscode import) is dist/lazy/deploy.js.
      // The editor's monitoring core: src/extension/monitor/monitorCore.ts (no vscode import) is dist/lazy/monitor.js.
      build.onResolve({ filter: /^\.\/monitorCore$/ }, (args) => (args.importer.includes(`monitor${sep}`) && !args.importer.endsWith('monitorCore.ts') ? { path: `${dir}/monitor.js`, external: true } : undefined));
      build.onResolve({ filter: /^\.\/deployCore$/ }, (args) => (args.importer.endsWith(`deploy${sep}service.ts`) ? { path: `${dir}/deploy.js`, external: true } : undefined));
    },
  };
}
/** The tree-sitter runtime and the grammars the prompt detector loads, copied beside the bundles. */
const wasmFiles = ['tree-sitter.wasm', 'tree-sitter-python.wasm', 'tree-sitter-typescript.wasm', 'tree-sitter-tsx.wasm', 'tree-sitter-javascript.wasm'];

// import() of an external must become require(): the bundles are CommonJS and their lazy files too.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', supported: { 'dynamic-import': false } };

const webviewEntries = readdirSync('webview', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('webview', d.name, 'main.ts')))
  .map((d) => ({ in: join('webview', d.name, 'main.ts'), out: d.name }));

const builds = [
  {
    ...node,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [reporter, lazyPlugin('./lazy')],
    // Read by activate() so the measured activation time includes loading this bundle.
    banner: { js: 'const agentOpsBundleStart = performance.now();' },
  },
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    // A native addon (the deploy ledger's SQLite under Node): required from node_modules at run time.
    external: ['better-sqlite3'],
    plugins: [reporter, lazyPlugin('./lazy')],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // Packages as published: keep their own import() calls (tree-sitter's shadows `require`).
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    entryPoints: Object.entries(lazyPackages).map(([pkg, name]) => ({ in: require.resolve(pkg), out: name })),
    outdir: 'dist/lazy',
    sourcemap: false,
  },
  {
    ...node,
    entryPoints: Object.entries(lazyModules).map(([name, file]) => ({ in: file, out: name })),
    outdir: 'dist/lazy',
    // The deploy ledger's better-sqlite3 binding is the CLI's; the extension host opens it with node:sqlite only.
    external: ['better-sqlite3'],
    plugins: [reporter, lazyPlugin('.')],
  },
  {
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: ['chrome120'],
  },
];

if (tests) {
  const suites = readdirSync('test/integration').filter((f) => f.endsWith('.ts')).map((f) => join('test/integration', f));
  builds.push(
    {
      ...node,
      sourcemap: true,
      entryPoints: suites,
      outdir: 'out/test/integration',
      external: ['vscode', 'mocha'],
    },
    {
      ...node,
      sourcemap: true,
      entryPoints: ['test/harness/run.ts', 'test/harness/start.ts', 'test/harness/desktop.ts'],
      outdir: 'out/test/harness',
      external: ['playwright-core', 'mocha', '@vscode/test-electron'],
    },
  );
  if (existsSync('bench/run.ts')) {
    builds.push({ ...node, sourcemap: true, entryPoints: ['bench/run.ts'], outdir: 'out/bench' });
  }
}

if (!watch) {
  rmSync('dist', { recursive: true, force: true });
  if (tests) rmSync('out', { recursive: true, force: true });
}

function copyWasm() {
  const from = join(dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
  mkdirSync('dist/wasm', { recursive: true });
  for (const file of wasmFiles) copyFileSync(join(from, file), join('dist/wasm', file));
}
copyWasm();

const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  try {
    await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  } catch {
    process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  }
}
