// Bundles the client, the language server, the CLI, the indexing worker, the benchmark and the
// tests with esbuild, and copies the tree-sitter WASM files next to the server bundle, where
// server/src/core/python/parser.ts looks for them at run time.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
mkdirSync('dist', { recursive: true });
for (const [from, to] of [
  ['node_modules/web-tree-sitter/tree-sitter.wasm', 'dist/tree-sitter.wasm'],
  ['node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm'],
]) copyFileSync(from, to);

function testEntries(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'fixtures') out.push(...testEntries(p)); }
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// web-tree-sitter's ESM build reads import.meta.url, which a CommonJS bundle lacks: give it the bundle's own URL.
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "var __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};
const builds = [
  { ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...common, entryPoints: {
      server: 'server/src/lsp/main.ts',
      cli: 'server/src/cli/main.ts',
      worker: 'server/src/indexWorker.ts',
      bench: 'bench/bench.ts',
    }, outdir: 'dist' },
  { ...common, entryPoints: testEntries('test'), outdir: 'dist/test', outbase: 'test' },
];
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
