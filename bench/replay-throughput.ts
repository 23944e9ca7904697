// `cascade run --replay` on 20,000 items, 3 tiers with 2 regex gates each, from a fixture with recorded
// costs (no usage), beside the floor: a plain script doing the same work (read the fixture, look each
// item up, run the two regexes per tier until one passes, write a result line).
// Targets: at least 20,000 items/s and within 2x of the floor.
// Run: npm run bench:replay-throughput [-- items]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const items = Number(process.argv[2] ?? 20_000);
const root = fileURLToPath(new URL('../..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'replay-throughput-'));
const models = ['small', 'medium', 'large'];
const fixtures = join(folder, 'fixtures.jsonl');
const input = join(folder, 'items.jsonl');
const lines: string[] = [];
const inputs: string[] = [];
for (let index = 0; index < items; index++) {
  const prompt = `Ticket ${index}: the invoice for order ${index * 7} shows the wrong amount. Which team? A) billing B) support C) sales D) legal`;
  // A third of the items are answered by each tier: the others' answers fail the letter gate.
  const answerer = index % 3;
  const responses = Object.fromEntries(
    models.map((model, tier) => [
      model,
      {
        text: tier >= answerer ? 'A' : `I think the answer is A because ${index}`,
        costUsd: 0.0001 * (tier + 1),
        latencyMs: 100,
      },
    ]),
  );
  lines.push(JSON.stringify({ id: `t${index}`, input: { messages: [{ role: 'user', content: prompt }] }, responses }));
  inputs.push(JSON.stringify({ id: `t${index}`, prompt }));
}
writeFileSync(fixtures, `${lines.join('\n')}\n`);
writeFileSync(input, `${inputs.join('\n')}\n`);
const cascade = join(folder, 'cascade.yaml');
writeFileSync(
  cascade,
  `name: replay\ntiers:\n${models
    .map(
      (model) =>
        `  - { name: ${model}, provider: replay, model: ${model}, gates: [{ type: regex, pattern: "^[A-D]$" }, { type: regex, pattern: "because", negate: true }] }`,
    )
    .join('\n')}\n`,
);

const floorScript = join(folder, 'floor.mjs');
writeFileSync(
  floorScript,
  `import { createReadStream, openSync, writeSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
const byId = new Map();
for await (const line of createInterface({ input: createReadStream(${JSON.stringify(fixtures)}) })) {
  if (line) { const item = JSON.parse(line); byId.set(item.id, item); }
}
const out = openSync(${JSON.stringify(join(folder, 'floor.jsonl'))}, 'w');
const letter = /^[A-D]$/; const because = /because/;
for await (const line of createInterface({ input: createReadStream(${JSON.stringify(input)}) })) {
  if (!line) continue;
  const { id } = JSON.parse(line);
  const item = byId.get(id);
  let answer;
  for (const model of ${JSON.stringify(models)}) {
    const response = item.responses[model];
    if (letter.test(response.text) && !because.test(response.text)) { answer = { model, text: response.text, costUsd: response.costUsd }; break; }
  }
  writeSync(out, JSON.stringify({ id, ...answer }) + '\\n');
}
closeSync(out);
`,
);

function timed(args: string[]): { seconds: number; rssMiB: number } {
  const child = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, ...args], { cwd: root, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  const [seconds, kb] = child.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, rssMiB: kb! / 1024 };
}

const floor = timed([floorScript]);
const ours = timed([
  'dist/src/cli/main.js',
  'run',
  cascade,
  '--input',
  input,
  '--output',
  join(folder, 'out.jsonl'),
  '--replay',
  fixtures,
  '--concurrency',
  '64',
]);
const rate = (seconds: number) => items / seconds;
console.log(`${items} items, 3 replay tiers, 2 regex gates each (whole process, start-up included)`);
console.log(`floor (plain script): ${rate(floor.seconds).toFixed(0)} items/s, ${floor.rssMiB.toFixed(0)} MiB`);
console.log(
  `cascade run --replay: ${rate(ours.seconds).toFixed(0)} items/s, ${ours.rssMiB.toFixed(0)} MiB; ratio ${(ours.seconds / floor.seconds).toFixed(1)}x the floor's time (targets: >= 20000 items/s, <= 2x)`,
);
