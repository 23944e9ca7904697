// Time `cascade tune`'s search on the largest 9-model fixture: zellinger-mmlu test (1,531 items).
// Target: under 10 s on this 2-core machine. Run: npm run bench:tune-speed
import { existsSync } from 'node:fs';
import { loadDataset } from '../src/evaluation/dataset.js';
import { defaultObjective } from '../src/tune/objective.js';
import { tuneCascade } from '../src/tune/tune.js';

const file = new URL('../../../shared/data/zellinger-mmlu/test.jsonl', import.meta.url).pathname;
if (!existsSync(file)) {
  console.log(
    `no data at ${file} (the zellinger-mmlu data set of ../shared/data beside the repository: a fixture with 9 models' answers); nothing to measure`,
  );
  process.exit(0);
}
const loadStarted = performance.now();
const dataset = await loadDataset(file);
const loadSeconds = (performance.now() - loadStarted) / 1000;
const result = tuneCascade(dataset, { objective: defaultObjective, baseline: true, heldOut: true });
console.log(`tune-speed: ${dataset.models.length} models, ${dataset.ids.length} items, up to 4 tiers`);
console.log(
  `load ${loadSeconds.toFixed(2)} s; tune as cascade tune runs it (signals, fitted gains, search, 5-fold cross-validated expectation, baseline search, bootstrap) ${result.seconds.toFixed(2)} s; ${result.evaluations} cascade evaluations`,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; target: under 10 s`);
