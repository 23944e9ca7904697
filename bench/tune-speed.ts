// Time `cascade tune`'s search on the largest 9-model fixture: zellinger-mmlu test (1,531 items).
// Beside it, the floor: a plain typed-array loop making as many cascade evaluations as the main search
// did (walk every item through a chain of up to 4 tiers, stop at the first whose confidence clears its
// threshold, sum cost and score), without signals, fits, cross-validation or the baseline.
// Targets: under 10 s on this 2-core machine (under 3 s: the stricter one). Run: npm run bench:tune-speed
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
const result = await tuneCascade(dataset, { objective: defaultObjective, baseline: true, heldOut: true });
console.log(`tune-speed: ${dataset.models.length} models, ${dataset.ids.length} items, up to 4 tiers`);
console.log(
  `load ${loadSeconds.toFixed(2)} s; tune as cascade tune runs it (signals, fitted gains, search, 5-fold cross-validated expectation, baseline search, bootstrap) ${result.seconds.toFixed(2)} s; ${result.evaluations} cascade evaluations`,
);

/** As many plain chain evaluations as the search made, over the same items' confidences, costs and scores. */
function plainEvaluations(count: number): { seconds: number; checksum: number } {
  const n = dataset.ids.length;
  const models = dataset.models.length;
  const started = performance.now();
  let checksum = 0;
  for (let evaluation = 0; evaluation < count; evaluation++) {
    // A chain of 2 to 4 models in cost order, thresholds from the evaluation's number.
    const tiers = 2 + (evaluation % 3);
    const chain = Array.from({ length: tiers }, (_, tier) => Math.floor(((tier + 1) * models) / (tiers + 1)));
    const thresholds = chain.map((_, tier) => 0.5 + ((evaluation * (tier + 3)) % 50) / 100);
    let cost = 0;
    let score = 0;
    for (let row = 0; row < n; row++) {
      for (let tier = 0; tier < tiers; tier++) {
        const model = chain[tier]!;
        cost += dataset.cost[model]![row]!;
        if (tier === tiers - 1 || dataset.confidence[model]![row]! >= thresholds[tier]!) {
          score += dataset.score[model]![row]!;
          break;
        }
      }
    }
    checksum += cost + score;
  }
  return { seconds: (performance.now() - started) / 1000, checksum };
}
const floor = plainEvaluations(result.evaluations);
console.log(
  `floor: a typed-array loop making the same ${result.evaluations} evaluations in full ${floor.seconds.toFixed(2)} s (checksum ${floor.checksum.toFixed(3)}); tune / floor ${(result.seconds / floor.seconds).toFixed(2)}x`,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; targets: under 10 s (and under 3 s)`);
