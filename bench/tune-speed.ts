// Time `cascade tune`'s search on the largest 9-model fixture: zellinger-mmlu test (1,531 items).
// Target: within 60 s on this 2-core machine. Run: npm run bench:tune-speed
import { existsSync } from 'node:fs';
import { loadDataset } from '../src/evaluation/dataset.js';
import { defaultMargin } from '../src/tune/objective.js';
import { tuneCascade } from '../src/tune/tune.js';

const file = new URL('../../../shared/data/zellinger-mmlu/test.jsonl', import.meta.url).pathname;
if (!existsSync(file)) {
  console.log(`no data at ${file}; nothing to measure`);
  process.exit(0);
}
const loadStarted = performance.now();
const dataset = await loadDataset(file);
const loadSeconds = (performance.now() - loadStarted) / 1000;
const result = tuneCascade(dataset, { objective: { kind: 'match-best', z: defaultMargin }, baseline: true });
console.log(`tune-speed: ${dataset.models.length} models, ${dataset.ids.length} items, up to 4 tiers`);
console.log(`load ${loadSeconds.toFixed(2)} s; tune (signals, 5-fold classifiers, search, baseline search, bootstrap) ${result.seconds.toFixed(2)} s; ${result.evaluations} cascade evaluations`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; target: under 60 s`);
