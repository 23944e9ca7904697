import type { AnswerComparison } from '../../gates/normalize-answer.js';
import { type Dataset } from '../evaluation/dataset.js';
import { chooseWithGuarantee, type GuaranteeCalibration } from './guarantee.js';
import { computeExpectedGains, fittedQuantiles, recordedKinds, type ExpectedGain } from './expected-gain.js';
import { usesFittedGains, type Objective } from './objective.js';
import { searchCascades, type Candidate, type ExploredPoint } from './search.js';
import { computeSignals, type PairSignals } from './signals.js';
import { bestSingleModel, modelsByCost } from '../evaluation/single-model.js';

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
