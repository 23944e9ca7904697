// What always asking one model of a dataset scores and costs: small and free of the dataset reader, so
// that the package's entry can export these without loading it.
import type { Dataset } from './dataset.js';

/** The best single model: the most accurate, the cheaper of equals. */
export function bestSingleModel(dataset: Dataset): {
  model: string;
  index: number;
  accuracy: number;
  costPerItem: number;
} {
  let best = { model: dataset.models[0]!, index: 0, ...singleModelFigures(dataset, 0) };
  dataset.models.forEach((model, index) => {
    const figures = singleModelFigures(dataset, index);
    if (
      figures.accuracy > best.accuracy + 1e-12 ||
      (Math.abs(figures.accuracy - best.accuracy) <= 1e-12 && figures.costPerItem < best.costPerItem)
    ) {
      best = { model, index, ...figures };
    }
  });
  return best;
}

/** Model indices from the cheapest to the dearest (cost per item of always asking it). */
export function modelsByCost(dataset: Dataset): number[] {
  const costs = dataset.models.map((_, index) => singleModelFigures(dataset, index).costPerItem);
  return dataset.models.map((_, index) => index).sort((a, b) => costs[a]! - costs[b]!);
}

/** Mean quality and cost of always asking one model (an unanswered item scores 0 and costs 0). */
export function singleModelFigures(dataset: Dataset, model: number): { accuracy: number; costPerItem: number } {
  let score = 0;
  let cost = 0;
  const n = dataset.ids.length;
  for (let row = 0; row < n; row++) {
    score += dataset.score[model]![row]!;
    cost += dataset.cost[model]![row]!;
  }
  return { accuracy: score / n, costPerItem: cost / n };
}
