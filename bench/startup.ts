// How long `import 'frugal-cascade'` and `cascade --help` take in a fresh process, beside the floor of a
// bare `node -e 0`, as the median of several runs each (a fresh process each time).
// Targets: import under 150 ms, --help under 250 ms.
// Run: npm run bench:startup [-- runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 15);
const root = fileURLToPath(new URL('../..', import.meta.url));

function medianMs(args: string[]): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const floor = medianMs(['-e', '0']);
const rows = [
  {
    name: "import 'frugal-cascade'",
    ms: medianMs(['--input-type=module', '-e', "await import('frugal-cascade')"]),
    target: 150,
  },
  { name: 'cascade --help', ms: medianMs(['dist/bundle/cascade.js', '--help']), target: 250 },
];
console.log(`median of ${runs} fresh processes each; floor: bare node -e 0 = ${floor.toFixed(0)} ms`);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(24)} ${row.ms.toFixed(0).padStart(5)} ms  (floor ${floor.toFixed(0)} ms, ratio ${(row.ms / floor).toFixed(1)}x; target < ${row.target} ms: ${row.ms < row.target ? 'met' : 'not met'})`,
  );
}
