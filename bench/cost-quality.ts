// For every data set in ../shared/data: tune on train.jsonl, write the tuned cascade, and evaluate it
// on test.jsonl through the engine (replay provider, same gates as live runs). The plain grid search
// (thresholds fitted in-sample, no margin) is tuned and evaluated the same way as the baseline.
// Run: npm run bench:cost-quality [-- z]
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCascadeFile } from '../src/config/load-cascade.js';
import { loadDataset, singleModelFigures } from '../src/evaluation/dataset.js';
import { bestSingleModel, evaluateCascade } from '../src/evaluation/evaluate.js';
import { defaultMargin } from '../src/tune/objective.js';
import { tuneCascade, type TuneResult } from '../src/tune/tune.js';
import { writeTunedCascade } from '../src/tune/write-tuned-cascade.js';

const dataDir = new URL('../../../shared/data/', import.meta.url).pathname;
if (!existsSync(dataDir)) {
  console.log(`no data at ${dataDir}; nothing to measure`);
  process.exit(0);
}
const z = Number(process.argv[2] ?? defaultMargin);
const only = process.argv[3];
const work = mkdtempSync(join(tmpdir(), 'cost-quality-'));
const pct = (value: number) => `${(100 * value).toFixed(1)}`.padStart(5);
const usd = (value: number) => value.toExponential(2);

console.log(`tuned with a ${z}-standard-error paired bound against the best single model of train; evaluated on test\n`);
console.log(
  'data set                | best single (train pick)           | tuned cascade on test                   | plain grid search on test        ',
);
console.log(
  '                        | model                  acc   cost   | acc   cost     savings escal. tiers    | acc   cost     savings tiers      ',
);
const rows: { name: string; drop: number; savings: number; baseDrop: number; baseSavings: number }[] = [];
for (const name of readdirSync(dataDir).sort()) {
  if (only && name !== only) continue;
  const train = join(dataDir, name, 'train.jsonl');
  const test = join(dataDir, name, 'test.jsonl');
  if (!existsSync(train) || !existsSync(test)) continue;
  const trainSet = await loadDataset(train);
  const testSet = await loadDataset(test);
  const tuned = tuneCascade(trainSet, { objective: { kind: 'match-best', z }, baseline: true });
  const measure = async (result: TuneResult, label: string) => {
    const file = join(work, `${name}-${label}.yaml`);
    await writeTunedCascade(result, trainSet, file);
    const cascade = await loadCascadeFile(file, { replay: test, replayPricing: testSet.pricing });
    return evaluateCascade(cascade, testSet);
  };
  const ours = await measure(tuned, 'tuned');
  const baselineResult: TuneResult = { ...tuned, tiers: tuned.baseline!.tiers };
  const plain = await measure(baselineResult, 'plain');
  // The best single model is the one a user would pick from the training data; its test figures are the bar.
  const bestIndex = testSet.models.indexOf(tuned.bestSingle.model);
  const bar = singleModelFigures(testSet, bestIndex);
  const hindsight = bestSingleModel(testSet);
  console.log(`${''.padEnd(23)} |   best on test in hindsight: ${hindsight.model} ${pct(hindsight.accuracy)} ${usd(hindsight.costPerItem)}; tuned vs it: ${pct(ours.accuracy - hindsight.accuracy)} points, ${pct(1 - ours.costPerItem / hindsight.costPerItem)}% savings`);
  const savings = 1 - ours.costPerItem / bar.costPerItem;
  const baseSavings = 1 - plain.costPerItem / bar.costPerItem;
  rows.push({ name, drop: bar.accuracy - ours.accuracy, savings, baseDrop: bar.accuracy - plain.accuracy, baseSavings });
  console.log(
    `${name.padEnd(23)} | ${tuned.bestSingle.model.slice(0, 22).padEnd(22)} ${pct(bar.accuracy)} ${usd(bar.costPerItem)} | ${pct(ours.accuracy)} ${usd(ours.costPerItem)} ${pct(savings)}%  ${pct(1 - (ours.tiers[0]?.share ?? 0))}%  ${String(ours.tiers.length).padStart(2)}      | ${pct(plain.accuracy)} ${usd(plain.costPerItem)} ${pct(baseSavings)}%  ${String(plain.tiers.length).padStart(2)}`,
  );
  console.log(`${''.padEnd(23)} |   tuned: ${tuned.tiers.map((tier) => `${tier.model}${tier.gate === 'witness' ? '(witness)' : tier.gate ? `(${tier.gate.kind}>=${tier.gate.threshold.toFixed(3)})` : ''}`).join(' -> ')}  [tune ${tuned.seconds.toFixed(1)} s]`);
}
const zellinger = rows.filter((row) => row.name.startsWith('zellinger'));
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
console.log(`\nworst accuracy drop vs best single on test: tuned ${pct(Math.max(...rows.map((row) => row.drop)))} points, plain ${pct(Math.max(...rows.map((row) => row.baseDrop)))} points (target: <= 0.5)`);
console.log(`mean savings on zellinger-*: tuned ${pct(mean(zellinger.map((row) => row.savings)))}%, plain ${pct(mean(zellinger.map((row) => row.baseSavings)))}% (target: >= 40%)`);
console.log(`mean savings on all: tuned ${pct(mean(rows.map((row) => row.savings)))}%, plain ${pct(mean(rows.map((row) => row.baseSavings)))}%`);
