import type { AnswerComparison } from '../../gates/normalize-answer.js';
import { type Dataset } from '../evaluation/dataset.js';
import { foldSplits, scoreFolds, type HeldOutFigures } from './cross-validate.js';
import { chooseCascade } from './choose-cascade.js';
import { TunePool } from './tune-pool.js';
import { plainBaseline } from './baseline.js';
import { describeTiers, type TunedTier } from './describe-tiers.js';
import type { GuaranteeCalibration } from './guarantee.js';
import { usesFittedGains, type Objective } from './objective.js';
import type { ExploredPoint } from './search.js';
import { classifiersFor } from './signals.js';
import { ChainSimulator } from './simulate-chain.js';
import { accuracyInterval, bootstrapMeans, type Interval } from '../statistics/statistics.js';
import { singleModelFigures } from '../evaluation/single-model.js';

export interface TuneOptions {
  objective: Objective;
  /** @default 4 */
  maxTiers?: number;
  comparison?: AnswerComparison;
  /** Also run the plain grid search (in-sample thresholds, no margin) for comparison. @default false */
  baseline?: boolean;
  /** Estimate accuracy and savings on unseen items by 5-fold cross-validation of the whole tuning. @default false */
  heldOut?: boolean;
}

/** Folds of the cross-validated expectation (`heldOut`). */
const heldOutFolds = 5;

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
  /**
   * What to expect on items the tuner did not see: the same tuning run on four fifths of the file and
   * measured on the fifth left out, five times, against the model each training part picked.
   */
  heldOut?: HeldOutFigures;
  /** Guarantee mode: what the calibration half measured of the chosen cascade. */
  guarantee?: GuaranteeCalibration;
  classifiers: ReturnType<typeof classifiersFor>;
  comparison: AnswerComparison;
  evaluations: number;
  seconds: number;
}

function paretoFrontier(points: readonly ExploredPoint[], dataset: Dataset): TuneResult['frontier'] {
  const sorted = [...points].sort((a, b) => a.costPerItem - b.costPerItem || b.accuracy - a.accuracy);
  const frontier: TuneResult['frontier'] = [];
  let bestAccuracy = -Infinity;
  for (const point of sorted) {
    if (point.accuracy > bestAccuracy + 1e-12) {
      frontier.push({
        chain: point.chain.map((model) => dataset.models[model]!),
        accuracy: point.accuracy,
        costPerItem: point.costPerItem,
      });
      bestAccuracy = point.accuracy;
    }
  }
  return frontier;
}

/**
 * Choose models, their order, gates and thresholds for a labelled fixture. By default the cascade must
 * not be expected to lose accuracy against the best single model, judged by a blend of what happened
 * on the file and what smooth fits of each tier's chance of being right predict (see expected-gain.ts);
 * the plain grid search is kept as a baseline.
 */
export async function tuneCascade(dataset: Dataset, options: TuneOptions): Promise<TuneResult> {
  const started = performance.now();
  const comparison = options.comparison ?? 'auto';
  const maxTiers = options.maxTiers ?? 4;
  const n = dataset.ids.length;
  const heldOut = options.heldOut === true && n >= 20;
  // With fitted gains the baseline computes signals of its own and needs nothing of the tuned search,
  // so it may start on another thread at once; otherwise it reuses the search's signals, here.
  const baselineApart = options.baseline === true && usesFittedGains(options.objective);
  const pool = new TunePool((heldOut ? heldOutFolds : 0) + (baselineApart ? 1 : 0));
  try {
    const baseline = baselineApart ? pool.submit({ kind: 'baseline', dataset, maxTiers, comparison }) : undefined;
    const singleModels = Object.fromEntries(
      dataset.models.map((model, index) => [model, singleModelFigures(dataset, index)]),
    );
    const choice = chooseCascade(dataset, options.objective, maxTiers, comparison, true);
    const { best, signals } = choice;
    const chosen = choice.candidate;
    const simulator = new ChainSimulator(dataset, signals, chosen.chain, chosen.kinds, 'final');
    const figures = simulator.figures(chosen.thresholds);
    const [accuracyBootstrap, costInterval] = bootstrapMeans([figures.scores, figures.costs], 1000, 0.95);
    const result: TuneResult = {
      items: n,
      objective: options.objective,
      tiers: describeTiers(dataset, chosen, figures),
      predicted: {
        accuracy: figures.accuracy,
        costPerItem: figures.costPerItem,
        accuracyInterval: accuracyInterval(figures.scores, accuracyBootstrap!),
        costInterval: costInterval!,
      },
      bestSingle: { model: best.model, accuracy: best.accuracy, costPerItem: best.costPerItem },
      singleModels,
      savingsVsBest: best.costPerItem > 0 ? 1 - figures.costPerItem / best.costPerItem : 0,
      escalationRate: figures.answeredBy.reduce((count, by) => count + (by > 0 ? 1 : 0), 0) / n,
      frontier: paretoFrontier(choice.explored, dataset),
      classifiers: classifiersFor(dataset, signals, chosen.chain),
      comparison,
      evaluations: choice.evaluations,
      seconds: 0,
      ...(choice.guarantee && { guarantee: choice.guarantee }),
    };
    // Each fold is a task of its own; the whole file's fits start each fold's (four fifths of the same
    // items, fitted in fewer steps).
    const splits = heldOut ? foldSplits(dataset, heldOutFolds) : undefined;
    const folds = splits?.map(({ train }) =>
      pool.submit({
        kind: 'fold',
        train,
        objective: options.objective,
        maxTiers,
        comparison,
        ...(choice.expected && { start: choice.expected }),
      }),
    );
    if (options.baseline && !baselineApart) {
      const plain = plainBaseline(dataset, maxTiers, comparison, signals);
      result.baseline = plain.baseline;
      Object.assign(result.classifiers, plain.classifiers);
    }
    // This thread takes whatever no worker has taken, then waits for the rest.
    await pool.drain();
    if (baseline) {
      const plain = await baseline;
      result.baseline = plain.baseline;
      Object.assign(result.classifiers, plain.classifiers);
    }
    if (splits && folds) result.heldOut = scoreFolds(splits, await Promise.all(folds), comparison);
    result.seconds = (performance.now() - started) / 1000;
    return result;
  } finally {
    pool.close();
  }
}
