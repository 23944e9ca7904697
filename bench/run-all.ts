// `npm run bench`: every benchmark that finishes in minutes, one after another in fresh processes, each
// printing its figure beside its floor (a plain script or bare Node doing the same work) and the ratio.
// `--all` adds bench/cost-quality (about 25 minutes) and bench/tune-headroom.
// Run: npm run bench [-- --all] [-- --only startup,replay]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches: { name: string; script: string; args?: string[]; node?: string[]; long?: boolean }[] = [
  { name: 'startup', script: 'startup.js' },
  { name: 'replay', script: 'replay-throughput.js' },
  { name: 'engine', script: 'engine-overhead.js' },
  { name: 'batch', script: 'batch-throughput.js' },
  { name: 'budget', script: 'budget-use.js' },
  { name: 'serve', script: 'serve-overhead.js' },
  { name: 'queue', script: 'queue-scaling.js' },
  { name: 'tune-speed', script: 'tune-speed.js' },
  { name: 'tune-unlabelled', script: 'tune-unlabelled.js' },
  { name: 'compress', script: 'compress.js' },
  { name: 'cache-quality', script: 'cache-quality.js' },
  { name: 'cache', script: 'cache.js', node: ['--expose-gc'] },
  { name: 'cost-quality', script: 'cost-quality.js', long: true },
  { name: 'tune-headroom', script: 'tune-headroom.js', long: true },
];

const all = process.argv.includes('--all');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? new Set(process.argv[onlyAt + 1]!.split(',')) : undefined;
const folder = fileURLToPath(new URL('.', import.meta.url));
const failed: string[] = [];
console.log(`npm run bench, ${new Date().toISOString().slice(0, 10)}, node ${process.version}`);
for (const bench of benches) {
  if (only ? !only.has(bench.name) : bench.long && !all) continue;
  console.log(`\n== ${bench.name} (bench/${bench.script.replace(/\.js$/, '.ts')})`);
  const started = performance.now();
  const run = spawnSync(process.execPath, [...(bench.node ?? []), `${folder}${bench.script}`, ...(bench.args ?? [])], {
    stdio: 'inherit',
  });
  console.log(`   (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (run.status !== 0) failed.push(bench.name);
}
if (failed.length > 0) {
  console.log(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
