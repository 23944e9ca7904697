// The engine's own cost per item: three tiers, two gates each, a provider that answers at once.
// No network and no I/O, so what is measured is prepare, budget check, retry wrapper, gates and
// trace building. Run: npm run bench:engine [-- items]: the floor and the engine always take fifteen
// turns of 6,000 items; `items` (30,000) sizes the two budget lines.
import { createJsonSchemaGate } from '../gates/json-schema.js';
import { createRegexGate } from '../gates/regex.js';
import { Cascade } from '../src/engine/cascade.js';
import { CircuitBreaker, defaultCircuitBreakerOptions } from '../src/middleware/circuit-breaker.js';
import { defaultRetryOptions } from '../src/middleware/retry-policy.js';
import type { Tier } from '../src/engine/tier.js';
import type { Completion } from '../src/spec/completion.js';
import type { Provider } from '../src/spec/provider.js';
import type { CascadeRequest } from '../src/spec/request.js';
import { median, medianOfEach } from './median.js';

/** Answers from a table at once: item i is answered well by tier (i mod 3) and above. */
function instantProvider(model: string, tierIndex: number): Provider {
  const good = '{"label":"ham","score":0.9}';
  const bad = 'Probably ham, I think.';
  return {
    specificationVersion: 'v1',
    name: 'instant',
    model,
    async complete(request: CascadeRequest): Promise<Completion> {
      const item = Number(request.id);
      const text = item % 3 <= tierIndex ? good : bad;
      return {
        text,
        model,
        usage: { inputTokens: 40, outputTokens: 12 },
        costUsd: 0.00001 * (tierIndex + 1),
        latencyMs: 0,
      };
    },
  };
}

function makeCascade(withBudget: boolean, perItemUsd = 1): Cascade {
  const schema = {
    type: 'object',
    properties: { label: { enum: ['spam', 'ham'] }, score: { type: 'number' } },
    required: ['label'],
  };
  const tiers: Tier[] = ['small', 'medium', 'large'].map((name, index) => ({
    name,
    provider: instantProvider(name, index),
    gates: [createRegexGate({ pattern: '^\\{' }), createJsonSchemaGate({ schema })],
    params: { maxTokens: 64 },
    pricing: { inputPerMTok: 0.1 * (index + 1), outputPerMTok: 0.4 * (index + 1) },
    retry: defaultRetryOptions,
    breaker: new CircuitBreaker(defaultCircuitBreakerOptions),
  }));
  return new Cascade({
    name: 'bench',
    tiers,
    onExhausted: 'accept-last',
    ...(withBudget && { budget: { perItemUsd } }),
  });
}

function requestsFor(items: number): CascadeRequest[] {
  return Array.from({ length: items }, (_, index) => ({
    id: String(index),
    messages: [
      { role: 'system', content: 'Classify the message as spam or ham. Reply with JSON.' },
      { role: 'user', content: `Message ${index}: Congratulations, you have won a prize! Click here to claim it.` },
    ],
  }));
}

// A type, not an interface: medianOfEach takes records of numbers, which an interface is not known to be.
type Figures = {
  mean: number;
  p50: number;
  p99: number;
  cpuPerItem: number;
  wallMs: number;
};

/** One pass over `requests` after a warm-up of 2,000 calls: per-item times in µs. */
async function measure(cascade: Pick<Cascade, 'run'>, requests: readonly CascadeRequest[]): Promise<Figures> {
  for (let index = 0; index < 2000; index++) await cascade.run(requests[index % requests.length]!);
  const items = requests.length;
  const durations = new Float64Array(items);
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (let index = 0; index < items; index++) {
    const started = performance.now();
    await cascade.run(requests[index]!);
    durations[index] = (performance.now() - started) * 1000;
  }
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  durations.sort();
  return {
    mean: durations.reduce((sum, value) => sum + value, 0) / items,
    p50: durations[Math.floor(items * 0.5)]!,
    p99: durations[Math.floor(items * 0.99)]!,
    cpuPerItem: (cpu.user + cpu.system) / items,
    wallMs,
  };
}

function print(label: string, items: number, figures: Figures): void {
  console.log(
    `${label.padEnd(34)} items ${items}  mean ${figures.mean.toFixed(2)} µs  p50 ${figures.p50.toFixed(1)} µs  p99 ${figures.p99.toFixed(1)} µs  ` +
      `cpu/item ${figures.cpuPerItem.toFixed(1)} µs  wall ${figures.wallMs.toFixed(0)} ms`,
  );
}

/**
 * The floor: a plain loop doing the same work with the same provider and gates (call each tier in turn,
 * run its two gates, stop at the first that passes), without the engine's stack, budget, events or trace.
 */
function plainLoop(): Pick<Cascade, 'run'> {
  const schema = {
    type: 'object',
    properties: { label: { enum: ['spam', 'ham'] }, score: { type: 'number' } },
    required: ['label'],
  };
  const tiers = ['small', 'medium', 'large'].map((name, index) => ({
    name,
    provider: instantProvider(name, index),
    gates: [createRegexGate({ pattern: '^\\{' }), createJsonSchemaGate({ schema })],
  }));
  return {
    async run(request: CascadeRequest) {
      let last: Completion | undefined;
      for (const tier of tiers) {
        const completion = await tier.provider.complete(request);
        last = completion;
        let passed = true;
        for (const gate of tier.gates) {
          const verdict = await gate.check({
            request,
            completion,
            text: completion.text,
            tierName: tier.name,
            earlier: [],
          });
          if (!verdict.pass) {
            passed = false;
            break;
          }
        }
        if (passed) break;
      }
      return { accepted: true, stop: 'accepted', costUsd: last?.costUsd ?? 0, latencyMs: 0, trace: [] };
    },
  } as unknown as Pick<Cascade, 'run'>;
}

const items = Number(process.argv[2] ?? 30_000);
console.log(
  `engine overhead: 3 tiers x 2 gates (regex, json-schema), zero-latency provider, mean 2 attempts per item; node ${process.version}`,
);
// The floor and the engine in turns of 6,000 items, and the ratio taken turn by turn (its median).
// Measured once each, the floor ran first, while the JIT was still compiling it, and its warm-up made the
// engine look 1.3x its floor. So one untimed turn of each comes first, and the two take turns at going
// first (whichever runs second may pay for the other's garbage). Fifteen turns, not five: on a host whose
// speed changed from one tenth of a second to the next, five turns' median moved from 3.3x to 5.1x
// between runs of the same build. (Shorter turns, or a collection before each, were no cure: a turn of
// the floor would collect more of the engine's garbage, and a full collection shrinks the young
// generation the engine's next turn then outgrows, at twice its steady cost.)
const rounds = 15;
const perRound = 6000;
const requests = requestsFor(Math.max(items, rounds * perRound));
const floorLoop = plainLoop();
const engine = makeCascade(false);
await measure(floorLoop, requests.slice(0, perRound));
await measure(engine, requests.slice(0, perRound));
const turns: { floor: Figures; engine: Figures }[] = [];
for (let round = 0; round < rounds; round++) {
  const slice = requests.slice(round * perRound, (round + 1) * perRound);
  if (round % 2 === 0) {
    const floorFigures = await measure(floorLoop, slice);
    turns.push({ floor: floorFigures, engine: await measure(engine, slice) });
  } else {
    const engineFigures = await measure(engine, slice);
    turns.push({ floor: await measure(floorLoop, slice), engine: engineFigures });
  }
}
const floor = medianOfEach(turns.map((turn) => turn.floor));
const plain = medianOfEach(turns.map((turn) => turn.engine));
print('floor: a plain loop, same work', perRound, floor);
print('no budget', perRound, plain);
const budgeted = requests.slice(0, items);
print('with a budget, byte ceiling fits', items, await measure(makeCascade(true, 1), budgeted));
print('with a tight budget, tokenizer runs', items, await measure(makeCascade(true, 0.00005), budgeted));
const ratios = turns.map((turn) => turn.engine.mean / turn.floor.mean);
console.log(
  `no budget against the floor (medians of ${rounds} turns of ${perRound} items each): ${median(ratios).toFixed(1)}x, turn by turn ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')} (the engine's own share: ${(plain.mean - floor.mean).toFixed(1)} µs per item)`,
);
console.log('targets: mean under 50 µs per item, within 3x of the floor');
