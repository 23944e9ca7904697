// Tuning without labels, measured with them. For each zellinger-* data set in ../shared/data, train.jsonl
// and test.jsonl are pooled and split at random (seeded) R times; the training part is scored by
// agreement with the dearest model's answer (as `cascade tune` does for a fixture without labels, or an
// `--explore` file), tuned at several agreement tolerances, and the written cascade is measured by
// `cascade eval` on the test part with its real labels, against the dearest model: the accuracy it
// gives up and the savings. The floor is that model alone (0 points, 0% saved).
// Run: node dist/bench/tune-unlabelled.js [--splits 20] [--size 300] [--tolerances 0,0.01,0.02,0.03]
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { benchFolder } from './temp-folder.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCascadeFile } from '../src/config/load-cascade.js';
import { loadDataset } from '../src/evaluation/dataset.js';
import { joinDatasets, pickRows } from '../src/evaluation/dataset-rows.js';
import { evaluateCascade } from '../src/evaluation/evaluate.js';
import { modelsByCost, singleModelFigures } from '../src/evaluation/single-model.js';
import { shuffledRows } from '../src/statistics/statistics.js';
import { agreementTolerance, defaultObjective, type Objective } from '../src/tune/objective.js';
import { tuneCascade } from '../src/tune/tune.js';
import { writeTunedCascade } from '../src/tune/write-tuned-cascade.js';

const dataDir = new URL('../../../shared/data/', import.meta.url).pathname;
if (!existsSync(dataDir)) {
  console.log(`no data at ${dataDir}; nothing to measure`);
  process.exit(0);
}
const { values: args } = parseArgs({
  options: {
    splits: { type: 'string', default: '20' },
    size: { type: 'string', default: '300' },
    tolerances: { type: 'string', default: '0,0.01,0.02,0.03' },
    sets: { type: 'string' },
  },
});
const splits = Number(args.splits);
const tolerances = args.tolerances.split(',').map(Number);
const work = benchFolder('tune-unlabelled-');
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const p90Drop = (deltas: number[]) => {
  const drops = deltas.map((delta) => -delta).sort((a, b) => a - b);
  return drops[Math.min(drops.length - 1, Math.floor(0.9 * drops.length))]!;
};
const points = (value: number) => `${value >= 0 ? '+' : ''}${(100 * value).toFixed(2)}`;
const pct = (value: number) => `${(100 * value).toFixed(1)}%`;

console.log(
  `tune-unlabelled ${new Date().toISOString().slice(0, 10)}: ${splits} splits; trained on agreement with the dearest model, measured with labels against it`,
);
for (const name of readdirSync(dataDir).sort()) {
  if (args.sets ? !args.sets.split(',').includes(name) : !name.startsWith('zellinger-')) continue;
  const trainFile = join(dataDir, name, 'train.jsonl');
  const testFile = join(dataDir, name, 'test.jsonl');
  const poolFile = join(work, `${name}.jsonl`);
  const poolLines = [...lines(trainFile), ...lines(testFile)];
  writeFileSync(poolFile, `${poolLines.join('\n')}\n`);
  const labelled = joinDatasets(await loadDataset(trainFile), await loadDataset(testFile), poolFile);
  const dearest = labelled.models[modelsByCost(labelled).at(-1)!]!;
  const agreeing = await loadDataset(poolFile, { reference: dearest });
  const n = labelled.ids.length;
  const size = Math.min(Number(args.size), Math.floor(n / 2));
  const outcomes = new Map<number, { delta: number; savings: number }[]>(tolerances.map((t) => [t, []]));
  for (let split = 0; split < splits; split++) {
    const order = shuffledRows(n, 1000 + split);
    const testRows = order.slice(size);
    const partFile = join(work, `${name}-${split}.test.jsonl`);
    writeFileSync(partFile, `${testRows.map((row) => poolLines[row]).join('\n')}\n`);
    const train = pickRows(agreeing, order.slice(0, size));
    const test = pickRows(labelled, testRows, partFile);
    const bar = singleModelFigures(test, test.models.indexOf(dearest));
    for (const tolerance of tolerances) {
      const objective = { ...defaultObjective, tolerance } as Objective;
      const result = await tuneCascade(train, { objective });
      const file = join(work, `${name}-${tolerance}.yaml`);
      await writeTunedCascade(result, train, file);
      const cascade = await loadCascadeFile(file, { replay: partFile, replayPricing: test.pricing });
      const report = await evaluateCascade(cascade, test);
      outcomes.get(tolerance)!.push({
        delta: report.accuracy - bar.accuracy,
        savings: bar.costPerItem > 0 ? 1 - report.costPerItem / bar.costPerItem : 0,
      });
    }
    rmSync(partFile);
  }
  for (const [tolerance, list] of outcomes) {
    const deltas = list.map((o) => o.delta);
    console.log(
      `${name.padEnd(20)} n ${size}  tolerance ${tolerance.toFixed(3)}: delta ${points(mean(deltas))}  p90 drop ${points(p90Drop(deltas))}  savings ${pct(mean(list.map((o) => o.savings)))}  (against ${dearest} alone: 0 points, 0%)${tolerance === agreementTolerance ? '  <- the default' : ''}`,
    );
  }
}
