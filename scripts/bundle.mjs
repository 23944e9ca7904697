// Bundles the compiled library (tsc's dist/src and dist/gates) into dist/bundle, which is what the package's
// `exports`, `main` and `bin` point at: one file per entry point plus shared chunks. Node spends about 1 ms
// finding, reading and linking each ES module, and `import 'frugal-cascade'` loaded about 110 of ours.
// - Entry points share chunks (splitting), so each class exists once whichever entry it is imported from
//   (`instanceof` holds between `frugal-cascade` and `frugal-cascade/cache`).
// - What the source loads on first call (`import()`) becomes chunks of its own, loaded on that call.
// - Packages stay external: they resolve from node_modules as before.
// - Chunks sit beside the entries, so `new URL('./tune-worker.js', import.meta.url)` finds the worker entry
//   and `../../package.json` is the package's manifest, as from dist/src/<folder>.
// The types stay tsc's (dist/src/**/*.d.ts). dist/bundle-inputs.json (not shipped) says which compiled
// modules each output file holds, for the tests that check what start-up loads.
import { chmodSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { build } from 'esbuild';

const outdir = 'dist/bundle';
const result = await build({
  entryPoints: {
    index: 'dist/src/index.js',
    cache: 'dist/src/cache/index.js',
    'ai-sdk': 'dist/src/ai-sdk/index.js',
    test: 'dist/src/testing/index.js',
    cascade: 'dist/src/cli/main.js',
    'tune-worker': 'dist/src/tune/tune-worker.js',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunk-[hash]',
  // Class and function names as written, for stack traces and `constructor.name`.
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
});

const inputs = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  inputs[file] = Object.keys(output.inputs).map((input) => relative('.', input));
}
writeFileSync('dist/bundle-inputs.json', `${JSON.stringify(inputs, null, 2)}\n`);
chmodSync(`${outdir}/cascade.js`, 0o755);
