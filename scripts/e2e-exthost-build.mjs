// Bundles the extension-host test suite (test/e2e/exthost/*.exthost.ts) for scripts/e2e.sh: one
// CommonJS file per suite plus the mocha entry point (index.exthost.js), into the folder given
// as the first argument (default .e2e/exthost). `vscode` is provided by the extension host;
// mocha is not bundled either but loaded from this repository's node_modules by absolute path
// (MOCHA_ENTRY), so the output folder may lie anywhere. Kept out of scripts/build.mjs: mocha in plain Node
// cannot load `vscode`, and the default `test/**/*.test.ts` glob skips these files by name.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const outdir = resolve(process.argv[2] ?? '.e2e/exthost');
const src = 'test/e2e/exthost';
const mochaEntry = createRequire(import.meta.url).resolve('mocha');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await esbuild.build({
  entryPoints: readdirSync(src).filter((f) => f.endsWith('.exthost.ts')).map((f) => join(src, f)),
  outdir,
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', logLevel: 'warning',
  external: ['vscode', 'mocha', mochaEntry],
  define: { MOCHA_ENTRY: JSON.stringify(mochaEntry) },
});
console.log(`extension-host tests bundled into ${outdir}`);
