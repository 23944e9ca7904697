import type { AnswerComparison } from '../../gates/normalize-answer.js';
import { modelsByCost, singleModelFigures, type Dataset } from '../evaluation/dataset.js';
import { bestSingleModel } from '../evaluation/evaluate.js';
import type { Objective } from './objective.js';
import { searchCascades, type Candidate, type ExploredPoint } from './search.js';
import { classifiersFor, computeSignals, type PairSignals } from './signals.js';
import { ChainSimulator, type ChainFigures } from './simulate-chain.js';
import { bootstrapMeans, type Interval } from './statistics.js';

export interface TuneOptions {
  objective: Objective;
  /** @default 4 */
  maxTiers?: number;
  comparison?: AnswerComparison;
  /** Also run the plain grid search (in-sample thresholds, no margin) for comparison. @default false */
  baseline?: boolean;
}

export interface TunedTier {
  model: string;
  gate?: { kind: 'confidence' | 'agreement' | 'learned'; threshold: number } | 'witness';
  /** Share of items this tier answered on the training data. */
  share: number;
  /** Share of its gate's checks that passed. */
  passRate?: number;
}

export interface TuneResult {
  items: number;
  objective: Objective;
  tiers: TunedTier[];
  /** What the tuned cascade scores on the training file: exactly what `cascade eval` measures there. */
  predicted: { accuracy: number; costPerItem: number; accuracyInterval: Interval; costInterval: Interval };
  bestSingle: { model: string; accuracy: number; costPerItem: number };
  singleModels: Record<string, { accuracy: number; costPerItem: number }>;
  savingsVsBest: number;
  escalationRate: number;
  /** The Pareto frontier (training cost and accuracy) of every configuration the search evaluated. */
  frontier: { chain: string[]; accuracy: number; costPerItem: number }[];
  baseline?: { tiers: TunedTier[]; accuracy: number; costPerItem: number };
  classifiers: ReturnType<typeof classifiersFor>;
  comparison: AnswerComparison;
  evaluations: number;
  seconds: number;
}

function describeTiers(dataset: Dataset, candidate: Candidate, figures: ChainFigures): TunedTier[] {
  const n = dataset.ids.length;
  return candidate.chain.map((model, tier) => {
    const answered = figures.answeredBy.reduce((count, by) => count + (by === tier ? 1 : 0), 0);
    const out: TunedTier = { model: dataset.models[model]!, share: answered / n };
    const kind = candidate.kinds[tier];
    if (kind) {
      const threshold = candidate.thresholds[tier]!;
      out.gate = threshold === Infinity ? 'witness' : { kind, threshold };
      out.passRate = figures.gateChecks[tier]! > 0 ? figures.gatePasses[tier]! / figures.gateChecks[tier]! : 0;
    }
    return out;
  });
}

function paretoFrontier(points: readonly ExploredPoint[], dataset: Dataset): TuneResult['frontier'] {
  const sorted = [...points].sort((a, b) => a.costPerItem - b.costPerItem || b.accuracy - a.accuracy);
  const frontier: TuneResult['frontier'] = [];
  let bestAccuracy = -Infinity;
  for (const point of sorted) {
    if (point.accuracy > bestAccuracy + 1e-12) {
      frontier.push({ chain: point.chain.map((model) => dataset.models[model]!), accuracy: point.accuracy, costPerItem: point.costPerItem });
      bestAccuracy = point.accuracy;
    }
  }
  return frontier;
}

/**
 * Choose models, their order, gates and thresholds for a labelled fixture. Gate thresholds for the
 * learned gate are chosen on out-of-fold predictions, and accuracy is held to a lower confidence bound,
 * so the choice holds on data the tuner never saw; the plain grid search is kept as a baseline.
 */
export function tuneCascade(dataset: Dataset, options: TuneOptions): TuneResult {
  const started = performance.now();
  const comparison = options.comparison ?? 'auto';
  const maxTiers = options.maxTiers ?? 4;
  const n = dataset.ids.length;
  const singleModels = Object.fromEntries(dataset.models.map((model, index) => [model, singleModelFigures(dataset, index)]));
  const order = modelsByCost(dataset);
  const best = bestSingleModel(dataset);
  const reference = { scores: dataset.score[best.index]!, model: best.index };
  const signals: Map<string, PairSignals> = computeSignals(dataset, order, comparison);
  const search = searchCascades(dataset, signals, order, { objective: options.objective, maxTiers, variant: 'honest', reference, referenceCost: best.costPerItem });
  const chosen = search.best;
  const simulator = new ChainSimulator(dataset, signals, chosen.chain, chosen.kinds, 'final');
  const figures = simulator.figures(chosen.thresholds);
  const [accuracyInterval, costInterval] = bootstrapMeans([figures.scores, figures.costs], 1000, 0.95);
  const result: TuneResult = {
    items: n,
    objective: options.objective,
    tiers: describeTiers(dataset, chosen, figures),
    predicted: { accuracy: figures.accuracy, costPerItem: figures.costPerItem, accuracyInterval: accuracyInterval!, costInterval: costInterval! },
    bestSingle: { model: best.model, accuracy: best.accuracy, costPerItem: best.costPerItem },
    singleModels,
    savingsVsBest: best.costPerItem > 0 ? 1 - figures.costPerItem / best.costPerItem : 0,
    escalationRate: figures.answeredBy.reduce((count, by) => count + (by > 0 ? 1 : 0), 0) / n,
    frontier: paretoFrontier(search.explored, dataset),
    classifiers: classifiersFor(dataset, signals, chosen.chain),
    comparison,
    evaluations: search.evaluations,
    seconds: 0,
  };
  if (options.baseline) {
    const plain = searchCascades(dataset, signals, order, { objective: { ...options.objective, z: 0 }, maxTiers, variant: 'final', reference, referenceCost: best.costPerItem });
    const plainFigures = new ChainSimulator(dataset, signals, plain.best.chain, plain.best.kinds, 'final').figures(plain.best.thresholds);
    result.baseline = { tiers: describeTiers(dataset, plain.best, plainFigures), accuracy: plainFigures.accuracy, costPerItem: plainFigures.costPerItem };
    Object.assign(result.classifiers, classifiersFor(dataset, signals, plain.best.chain));
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
