import type { Cascade } from '../engine/cascade.js';
import { ConfigError } from '../errors/index.js';
import { accuracyInterval, bootstrapMeans, type Interval } from '../statistics/statistics.js';
import type { Dataset } from './dataset.js';
import { bestSingleModel, singleModelFigures } from './single-model.js';

export interface TierFigures {
  name: string;
  model: string;
  /** Share of items this tier answered. */
  share: number;
  /** Share of items that reached this tier (called or skipped). */
  reached: number;
  /** For each gate of the tier: the share of its checks that passed. */
  gatePassRates: Record<string, number>;
}

export interface EvalReport {
  items: number;
  accuracy: number;
  costPerItem: number;
  tiers: TierFigures[];
  stops: Record<string, number>;
  singleModels: Record<string, { accuracy: number; costPerItem: number }>;
  bestSingle: { model: string; accuracy: number; costPerItem: number };
  /** 1 - cascade cost / best single model's cost. */
  savingsVsBest: number;
  /** Bootstrap 95% intervals (items resampled) of accuracy and cost per item. */
  accuracyInterval: Interval;
  costInterval: Interval;
  /** Cascade minus best single model, item by item: the mean difference in accuracy and its 95% interval. */
  versusBest: { accuracyDifference: number; interval: Interval };
}

/**
 * Run every item of the dataset through the cascade (whose tiers answer from the same recordings)
 * and score the answer with the answering model's recorded quality.
 */
export async function evaluateCascade(cascade: Cascade, dataset: Dataset): Promise<EvalReport> {
  const modelIndex = new Map(dataset.models.map((model, index) => [model, index]));
  // A model with no answer anywhere in the fixture is a misnamed tier, not a gap: every item would
  // skip it at no cost and the figures would look like savings.
  for (const tier of cascade.tiers) {
    if (!modelIndex.has(tier.provider.model)) {
      throw new ConfigError(
        `${dataset.file}: tier "${tier.name}" asks for model "${tier.provider.model}", which has no recorded answer in this fixture. Its models are: ${dataset.models.join(', ')}. Name the tier's model as the fixture does.`,
        { file: dataset.file, field: 'responses' },
      );
    }
  }
  const tierStats = cascade.tiers.map((tier) => ({
    name: tier.name,
    model: tier.provider.model,
    answered: 0,
    reached: 0,
    gates: new Map<string, { checked: number; passed: number }>(),
  }));
  const stops: Record<string, number> = {};
  const n = dataset.ids.length;
  const scores = new Float64Array(n);
  const costs = new Float64Array(n);
  for (let row = 0; row < n; row++) {
    const result = await cascade.run({ id: dataset.ids[row]!, messages: dataset.messages[row]! });
    costs[row] = result.costUsd;
    stops[result.stop] = (stops[result.stop] ?? 0) + 1;
    const answering = result.model === undefined ? undefined : modelIndex.get(result.model);
    if (answering !== undefined && dataset.available[answering]![row]) scores[row] = dataset.score[answering]![row]!;
    for (const entry of result.trace) {
      const stats = tierStats.find((tier) => tier.name === entry.tier)!;
      stats.reached++;
      for (const gate of entry.gates) {
        const counts = stats.gates.get(gate.name) ?? { checked: 0, passed: 0 };
        counts.checked++;
        if (gate.pass) counts.passed++;
        stats.gates.set(gate.name, counts);
      }
    }
    const answeringTier = tierStats.find((tier) => tier.name === result.tier);
    if (answeringTier) answeringTier.answered++;
  }
  const singleModels = Object.fromEntries(
    dataset.models.map((model, index) => [model, singleModelFigures(dataset, index)]),
  );
  const best = bestSingleModel(dataset);
  const accuracy = scores.reduce((sum, value) => sum + value, 0) / n;
  const costPerItem = costs.reduce((sum, value) => sum + value, 0) / n;
  const bestScores = dataset.score[best.index]!;
  const differences = scores.map((value, row) => value - bestScores[row]!);
  const [accuracyBootstrap, costInterval, differenceInterval] = bootstrapMeans(
    [scores, costs, differences],
    1000,
    0.95,
  );
  return {
    items: n,
    accuracy,
    costPerItem,
    tiers: tierStats.map((tier) => ({
      name: tier.name,
      model: tier.model,
      share: tier.answered / n,
      reached: tier.reached / n,
      gatePassRates: Object.fromEntries(
        [...tier.gates].map(([gate, counts]) => [gate, counts.passed / counts.checked]),
      ),
    })),
    stops,
    singleModels,
    bestSingle: { model: best.model, accuracy: best.accuracy, costPerItem: best.costPerItem },
    savingsVsBest: best.costPerItem > 0 ? 1 - costPerItem / best.costPerItem : 0,
    accuracyInterval: accuracyInterval(scores, accuracyBootstrap!),
    costInterval: costInterval!,
    versusBest: { accuracyDifference: accuracy - best.accuracy, interval: differenceInterval! },
  };
}
