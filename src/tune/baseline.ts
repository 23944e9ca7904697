import type { AnswerComparison } from '../../gates/normalize-answer.js';
import { type Dataset } from '../evaluation/dataset.js';
import { describeTiers, type TunedTier } from './describe-tiers.js';
import { fittedQuantiles } from './expected-gain.js';
import { searchCascades } from './search.js';
import { classifiersFor, computeSignals, type PairSignals } from './signals.js';
import { ChainSimulator } from './simulate-chain.js';
import { bestSingleModel, modelsByCost } from '../evaluation/single-model.js';

export interface BaselineResult {
  baseline: { tiers: TunedTier[]; accuracy: number; costPerItem: number };
  /** The learned gates' classifiers of the baseline's chain. */
  classifiers: ReturnType<typeof classifiersFor>;
}

/**
 * The plain grid search, for comparison: in-sample thresholds, no margin, every gate kind. `signals`:
 * the tuned search's own, when they are the ones it would compute (objectives without fitted gains).
 */
export function plainBaseline(
  dataset: Dataset,
  maxTiers: number,
  comparison: AnswerComparison,
  signals?: Map<string, PairSignals>,
): BaselineResult {
  const order = modelsByCost(dataset);
  const best = bestSingleModel(dataset);
  const plainSignals = signals ?? computeSignals(dataset, order, comparison);
  const plain = searchCascades(dataset, plainSignals, order, {
    objective: { kind: 'match-best', z: 0 },
    maxTiers,
    variant: 'final',
    reference: { scores: dataset.score[best.index]!, model: best.index },
    referenceCost: best.costPerItem,
    quantiles: fittedQuantiles,
  });
  const figures = new ChainSimulator(dataset, plainSignals, plain.best.chain, plain.best.kinds, 'final').figures(
    plain.best.thresholds,
  );
  return {
    baseline: {
      tiers: describeTiers(dataset, plain.best, figures),
      accuracy: figures.accuracy,
      costPerItem: figures.costPerItem,
    },
    classifiers: classifiersFor(dataset, plainSignals, plain.best.chain),
  };
}
