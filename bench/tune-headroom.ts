// How much any tuner could save on test, for every data set in ../shared/data, by looking at the test
// labels: cascades of up to 4 tiers (as tune) with confidence and agreement gates on a fixed threshold grid, each
// measured on train and on test against the best single model of train. It prints
//  - hindsight: the cheapest cascade on test whose accuracy is within 0.5 points of that model's, and
//    how it looked on train (a tuner sees only that);
//  - train-feasible hindsight: the same, among cascades that keep the model's accuracy on train (the
//    tune objective), so what a perfect choice among the cascades a tuner may pick could reach;
//  - how many points one test item is worth.
// Run: npm run bench:tune-headroom [-- max-tiers]
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../src/evaluation/dataset.js';
import { enumerateChains } from '../src/tune/search.js';
import { computeSignals, pairKey, type GateKind } from '../src/tune/signals.js';
import { ChainSimulator } from '../src/tune/simulate-chain.js';
import { bestSingleModel, modelsByCost, singleModelFigures } from '../src/evaluation/single-model.js';

const dataDir = new URL('../../../shared/data/', import.meta.url).pathname;
if (!existsSync(dataDir)) {
  console.log(`no data at ${dataDir}; nothing to measure`);
  process.exit(0);
}
const confidenceGrid = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 1, Infinity];
const tolerance = 0.005;
const maxTiers = Number(process.argv[2] ?? 4);
const pct = (value: number) => `${(100 * value).toFixed(1)}`.padStart(6);

interface Outcome {
  label: string;
  trainDiff: number;
  trainSavings: number;
  testDiff: number;
  testSavings: number;
}

/**
 * Every gate-kind assignment a chain's tiers can take. No learned gate: its test signal would need the
 * train classifier.
 */
function kindAssignments(chain: number[], kindsOf: (tier: number) => GateKind[]): (GateKind | undefined)[][] {
  let out: (GateKind | undefined)[][] = [[]];
  chain.forEach((_, tier) => {
    // A tier with no gate to offer (no confidence, nothing before it) can still be a witness for the next.
    const available = tier === chain.length - 1 ? [] : kindsOf(tier);
    const options: (GateKind | undefined)[] = available.length > 0 ? available : [undefined];
    out = out.flatMap((prefix) => options.map((kind) => [...prefix, kind]));
  });
  return out;
}

function thresholdSets(kinds: (GateKind | undefined)[]): number[][] {
  let out: number[][] = [[]];
  for (const kind of kinds) {
    const grid = kind === 'confidence' ? confidenceGrid : kind === 'agreement' ? [0.5, Infinity] : [Infinity];
    out = out.flatMap((prefix) => grid.map((value) => [...prefix, value]));
  }
  return out;
}

function outcomes(train: Dataset, test: Dataset): Outcome[] {
  const order = modelsByCost(train);
  const best = bestSingleModel(train);
  const testIndex = test.models.indexOf(best.model);
  const bar = singleModelFigures(test, testIndex);
  // Test columns in train's model order, so one chain of indices serves both.
  const aligned: Dataset = { ...test, models: train.models };
  for (const key of ['available', 'score', 'cost', 'confidence', 'text'] as const) {
    (aligned[key] as unknown[]) = train.models.map((model) => (test[key] as unknown[])[test.models.indexOf(model)]);
  }
  const trainSignals = computeSignals(train, order, 'auto');
  const testSignals = computeSignals(aligned, order, 'auto');
  const trainReference = { scores: train.score[best.index]!, model: best.index };
  const testReference = { scores: aligned.score[best.index]!, model: best.index };
  const results: Outcome[] = [];
  for (const chain of enumerateChains(order, maxTiers)) {
    const kindsOf = (tier: number) =>
      (['confidence', 'agreement'] as const).filter(
        (kind) => trainSignals.get(pairKey(chain[tier]!, tier === 0 ? undefined : chain[tier - 1]))!.signals[kind],
      );
    for (const kinds of kindAssignments(chain, kindsOf)) {
      const onTrain = new ChainSimulator(train, trainSignals, chain, kinds, 'final');
      const onTest = new ChainSimulator(aligned, testSignals, chain, kinds, 'final');
      for (const thresholds of thresholdSets(kinds)) {
        const a = onTrain.totals(thresholds, trainReference);
        const b = onTest.totals(thresholds, testReference);
        results.push({
          label: chain
            .map((model, tier) => `${train.models[model]}${kinds[tier] ? `(${kinds[tier]}>=${thresholds[tier]})` : ''}`)
            .join(' -> '),
          trainDiff: a.diff / train.ids.length,
          trainSavings: 1 - a.cost / train.ids.length / best.costPerItem,
          testDiff: b.diff / test.ids.length,
          testSavings: 1 - b.cost / test.ids.length / bar.costPerItem,
        });
      }
    }
  }
  return results;
}

const cheapestWithin = (candidates: Outcome[]) =>
  candidates
    .filter((outcome) => outcome.testDiff >= -tolerance - 1e-12)
    .reduce<Outcome | undefined>(
      (kept, outcome) => (!kept || outcome.testSavings > kept.testSavings ? outcome : kept),
      undefined,
    );

console.log(
  `cascades of up to ${maxTiers} tiers, confidence/agreement gates; savings on test at most ${100 * tolerance} points below the best single model of train\n`,
);
console.log(
  `${confidenceGrid.length} thresholds per confidence gate; 'hold on test': of the cascades that keep train accuracy and save on train, how many stay within the tolerance on test\n`,
);
console.log(
  'data set                | test items (points/item) | hindsight: savings, train diff | train-feasible hindsight | hold on test',
);
const zellinger: { hindsight: number; feasible: number }[] = [];
for (const name of readdirSync(dataDir).sort()) {
  const trainFile = join(dataDir, name, 'train.jsonl');
  const testFile = join(dataDir, name, 'test.jsonl');
  if (!existsSync(trainFile) || !existsSync(testFile)) continue;
  const train = await loadDataset(trainFile);
  const test = await loadDataset(testFile);
  const all = outcomes(train, test);
  const hindsight = cheapestWithin(all)!;
  const keepsTrain = all.filter((outcome) => outcome.trainDiff >= -1e-12);
  const feasible = cheapestWithin(keepsTrain)!;
  // Of the cascades a tuner could pick (keep train accuracy, save on train), how many hold on test.
  const saving = keepsTrain.filter((outcome) => outcome.trainSavings > 0);
  const holding = saving.filter((outcome) => outcome.testDiff >= -tolerance - 1e-12).length;
  if (name.startsWith('zellinger'))
    zellinger.push({ hindsight: hindsight.testSavings, feasible: feasible.testSavings });
  console.log(
    `${name.padEnd(23)} | ${String(test.ids.length).padStart(5)} (${(100 / test.ids.length).toFixed(2)})           | ${pct(hindsight.testSavings)}%, ${pct(hindsight.trainDiff)} points    | ${pct(feasible.testSavings)}%  | ${holding} of ${saving.length} (of ${all.length} cascades)`,
  );
  console.log(`${''.padEnd(23)} |   hindsight: ${hindsight.label}`);
  console.log(`${''.padEnd(23)} |   train-feasible: ${feasible.label}`);
}
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
console.log(
  `\nmean savings on zellinger-*: hindsight ${pct(mean(zellinger.map((row) => row.hindsight)))}%, train-feasible hindsight ${pct(mean(zellinger.map((row) => row.feasible)))}%`,
);
