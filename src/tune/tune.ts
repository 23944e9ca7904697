import type { AnswerComparison } from '../../gates/normalize-answer.js';
import { modelsByCost, singleModelFigures, type Dataset } from '../evaluation/dataset.js';
import { bestSingleModel } from '../evaluation/evaluate.js';
import { crossValidate, type HeldOutFigures } from './cross-validate.js';
import { chooseWithGuarantee, type GuaranteeCalibration } from './guarantee.js';
import { computeExpectedGains, fittedQuantiles, recordedKinds, type ExpectedGain } from './expected-gain.js';
import { usesFittedGains, type Objective } from './objective.js';
import { searchCascades, type Candidate, type ExploredPoint } from './search.js';
import { classifiersFor, computeSignals, type PairSignals } from './signals.js';
import { ChainSimulator, type ChainFigures } from './simulate-chain.js';
import { bootstrapMeans, type Interval } from '../statistics/statistics.js';

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

function describeTiers(dataset: Dataset, candidate: Candidate, figures: ChainFigures): TunedTier[] {
  const n = dataset.ids.length;
  return candidate.chain.map((model, tier) => {
    const answered = figures.answeredBy.reduce((count, by) => count + (by === tier ? 1 : 0), 0);
    const out: TunedTier = { model: dataset.models[model]!, share: answered / n };
    const kind = candidate.kinds[tier];
    if (!kind && tier < candidate.chain.length - 1) {
      out.gate = 'witness';
      out.passRate = 0;
    } else if (kind) {
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

export interface Choice {
  candidate: Candidate;
  guarantee?: GuaranteeCalibration;
  signals: Map<string, PairSignals>;
  best: ReturnType<typeof bestSingleModel>;
  explored: ExploredPoint[];
  evaluations: number;
  /** The fitted gains the search judged by, when the objective reads them. */
  expected?: Map<string, ExpectedGain>;
}

/** The search proper: signals, fitted gains when the objective reads them, and the best configuration. */
export function chooseCascade(
  dataset: Dataset,
  objective: Objective,
  maxTiers: number,
  comparison: AnswerComparison,
  keepExplored = false,
  start?: Map<string, ExpectedGain>,
): Choice {
  const order = modelsByCost(dataset);
  const best = bestSingleModel(dataset);
  const reference = { scores: dataset.score[best.index]!, model: best.index };
  const fitted = usesFittedGains(objective);
  if (objective.kind === 'match-best' && objective.estimate === 'guarantee') {
    const guaranteed = chooseWithGuarantee(dataset, {
      delta: objective.delta ?? 0.05,
      tolerance: objective.tolerance ?? 0,
      maxTiers,
      comparison,
    });
    const signals = computeSignals(dataset, order, comparison, { learned: false });
    return {
      candidate: guaranteed.candidate,
      guarantee: guaranteed.calibration,
      signals,
      best,
      explored: [],
      evaluations: 0,
    };
  }
  // The fitted-gain objectives use the gates a recording always has, with in-sample thresholds (the
  // smoothing is what guards against overfitting); the others keep the learned gate and out-of-fold thresholds.
  const signals = computeSignals(dataset, order, comparison, { learned: !fitted });
  const expected = fitted ? computeExpectedGains(dataset, order, best.index, comparison, start) : undefined;
  const search = searchCascades(dataset, signals, order, {
    objective,
    maxTiers,
    variant: fitted ? 'final' : 'honest',
    reference,
    referenceCost: best.costPerItem,
    keepExplored,
    ...(expected && { expected, kinds: recordedKinds, quantiles: fittedQuantiles }),
  });
  return {
    candidate: search.best,
    signals,
    best,
    explored: search.explored,
    evaluations: search.evaluations,
    ...(expected && { expected }),
  };
}

/**
 * Choose models, their order, gates and thresholds for a labelled fixture. By default the cascade must
 * not be expected to lose accuracy against the best single model, judged by a blend of what happened
 * on the file and what smooth fits of each tier's chance of being right predict (see expected-gain.ts);
 * the plain grid search is kept as a baseline.
 */
export function tuneCascade(dataset: Dataset, options: TuneOptions): TuneResult {
  const started = performance.now();
  const comparison = options.comparison ?? 'auto';
  const maxTiers = options.maxTiers ?? 4;
  const n = dataset.ids.length;
  const singleModels = Object.fromEntries(
    dataset.models.map((model, index) => [model, singleModelFigures(dataset, index)]),
  );
  const order = modelsByCost(dataset);
  const choice = chooseCascade(dataset, options.objective, maxTiers, comparison, true);
  const { best, signals } = choice;
  const reference = { scores: dataset.score[best.index]!, model: best.index };
  const chosen = choice.candidate;
  const simulator = new ChainSimulator(dataset, signals, chosen.chain, chosen.kinds, 'final');
  const figures = simulator.figures(chosen.thresholds);
  const [accuracyInterval, costInterval] = bootstrapMeans([figures.scores, figures.costs], 1000, 0.95);
  const result: TuneResult = {
    items: n,
    objective: options.objective,
    tiers: describeTiers(dataset, chosen, figures),
    predicted: {
      accuracy: figures.accuracy,
      costPerItem: figures.costPerItem,
      accuracyInterval: accuracyInterval!,
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
  if (options.baseline) {
    const plainSignals = usesFittedGains(options.objective) ? computeSignals(dataset, order, comparison) : signals;
    const plain = searchCascades(dataset, plainSignals, order, {
      objective: { kind: 'match-best', z: 0 },
      maxTiers,
      variant: 'final',
      reference,
      referenceCost: best.costPerItem,
      quantiles: fittedQuantiles,
    });
    const plainFigures = new ChainSimulator(dataset, plainSignals, plain.best.chain, plain.best.kinds, 'final').figures(
      plain.best.thresholds,
    );
    result.baseline = {
      tiers: describeTiers(dataset, plain.best, plainFigures),
      accuracy: plainFigures.accuracy,
      costPerItem: plainFigures.costPerItem,
    };
    Object.assign(result.classifiers, classifiersFor(dataset, plainSignals, plain.best.chain));
  }
  if (options.heldOut && n >= 20) {
    result.heldOut = crossValidate(
      dataset,
      (train) => {
        // The whole file's fits start each fold's: four fifths of the same items, fitted in fewer steps.
        const picked = chooseCascade(train, options.objective, maxTiers, comparison, false, choice.expected);
        return { candidate: picked.candidate, reference: picked.best.index };
      },
      comparison,
    );
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
