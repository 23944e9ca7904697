// Bundles the compiled library (tsc's dist/src and dist/gates) into dist/bundle, which is what the package's
// `exports`, `main` and `bin` point at. Node spends about 1 ms finding, reading and linking each ES module, and
// `import 'frugal-cascade'` loaded about 110 of ours, so what start-up needs is put in as few files as it can be:
// - `start-cli`: the compiled modules that both `import 'frugal-cascade'` and the `cascade` bin load at start-up
//   (errors, shared helpers), so `cascade --help` loads this chunk and not the whole library.
// - `start-cache`: of the rest, what `frugal-cascade/cache` loads at start-up too (provider helpers, the lexical
//   embedder), so that entry does not load the whole library (it would read about 260 kB instead of 90).
// - `start`: the rest of what `import 'frugal-cascade'` loads at start-up.
//   Import loads index.js, these three chunks and rolldown's runtime helper (`__name`, for keepNames), which
//   rolldown always puts in a chunk of its own when several entries need it.
// - What the source loads on first call (`import()`) stays in chunks of its own, loaded on that call; modules
//   shared by other entries only go to chunks rolldown makes (splitting), so each module and each class exists
//   once whichever entry reaches it (`instanceof` holds between `frugal-cascade` and `frugal-cascade/cache`).
// - Packages stay external (they resolve from node_modules as before), but for the pure-JS ones only our
//   own code uses, which a run loads file by file: zod (about 100 files, 50-100 ms) and yaml (about 70
//   files, 40 ms), read and validate every cascade file and fixture. Inlined, they load as one chunk;
//   no zod schema or yaml document crosses our API, so a user's own copy never meets ours. Commander
//   (CommonJS, 8 files) too: only the bin uses it, and inlined `cascade --help` took 4% less wall time.
// - Chunks sit beside the entries, so `new URL('./tune-worker.js', import.meta.url)` finds the worker entry
//   and `../../package.json` is the package's manifest, as from dist/src/<folder>.
// The types stay tsc's (dist/src/**/*.d.ts). dist/bundle-inputs.json (not shipped) says which compiled
// modules each output file holds, for the tests that check what start-up loads.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { build } from 'rolldown';

const outdir = 'dist/bundle';
const input = {
  index: 'dist/src/index.js',
  cache: 'dist/src/cache/index.js',
  'ai-sdk': 'dist/src/ai-sdk/index.js',
  test: 'dist/src/testing/index.js',
  cascade: 'dist/src/cli/main.js',
  'tune-worker': 'dist/src/tune/tune-worker.js',
};
const inlinedPackages = ['zod', 'yaml', 'commander'];
const inlined = new RegExp(`^(${inlinedPackages.join('|')})(/|$)`);
const entryModules = new Set(Object.values(input).map((file) => resolve(file)));

/** The modules an entry loads before its first line runs: itself and what it imports statically, transitively. */
const loadedAtStart = { index: new Set(), cascade: new Set(), cache: new Set() };
const startUpSets = {
  name: 'start-up-sets',
  buildEnd() {
    for (const [entry, modules] of Object.entries(loadedAtStart)) {
      const pending = [resolve(input[entry])];
      while (pending.length > 0) {
        const id = pending.pop();
        const info = this.getModuleInfo(id);
        if (modules.has(id) || !info || info.isExternal) continue;
        modules.add(id);
        pending.push(...info.importedIds);
      }
    }
  },
};
// An entry's own module stays in its entry file.
const loadedByImport = (id) => loadedAtStart.index.has(id) && !entryModules.has(id);

const { output } = await build({
  input,
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !inlined.test(id),
  plugins: [startUpSets],
  logLevel: 'warn',
  onLog(level, log, report) {
    // index.ts exports compressMessages, so the engine's `import()` of it cannot make it lazy for
    // `import 'frugal-cascade'`; it does for the bin, which loads the engine without index.ts.
    if (log.code === 'INEFFECTIVE_DYNAMIC_IMPORT' && log.message.includes('compress/compress-messages.js')) return;
    report(level, log);
  },
  output: {
    dir: outdir,
    cleanDir: true,
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunk-[name]-[hash].js',
    // Class and function names as written, for stack traces and `constructor.name`.
    keepNames: true,
    codeSplitting: {
      groups: [
        { name: 'start-cli', priority: 3, test: (id) => loadedByImport(id) && loadedAtStart.cascade.has(id) },
        { name: 'start-cache', priority: 2, test: (id) => loadedByImport(id) && loadedAtStart.cache.has(id) },
        { name: 'start', priority: 1, test: loadedByImport },
      ],
    },
  },
});

const inputs = {};
for (const file of output) {
  if (file.type !== 'chunk') continue;
  inputs[`${outdir}/${file.fileName}`] = file.moduleIds.map((id) => (id.startsWith('/') ? relative('.', id) : id));
}
writeFileSync('dist/bundle-inputs.json', `${JSON.stringify(inputs, null, 2)}\n`);
chmodSync(`${outdir}/cascade.js`, 0o755);
// The bin before the bundle: npx keeps links to a project's own bin by folder, so a checkout built
// before the bundle existed still runs this file through `npx cascade`.
chmodSync('dist/src/cli/main.js', 0o755);

// Their code ships inside ours, so their licenses ship beside it.
writeFileSync(
  `${outdir}/THIRD-PARTY-LICENSES.txt`,
  inlinedPackages
    .map((name) => {
      const { version, license } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
      return `${name} ${version} (${license}), bundled into this package's chunks:\n\n${readFileSync(`node_modules/${name}/LICENSE`, 'utf8').trim()}\n`;
    })
    .join('\n---\n\n'),
);
