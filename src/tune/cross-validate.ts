import type { AnswerComparison } from '../../gates/normalize-answer.js';
import { type Dataset } from '../evaluation/dataset.js';
import { pickRows } from '../evaluation/dataset-rows.js';
import type { Candidate } from './search.js';
import { computeSignals } from './signals.js';
import { ChainSimulator } from './simulate-chain.js';
import { shuffledRows } from '../statistics/statistics.js';
import { modelsByCost, singleModelFigures } from '../evaluation/single-model.js';

/** How a tuning procedure fared on items it did not see, pooled over the folds. */
export interface HeldOutFigures {
  folds: number;
  /** Mean accuracy of the tuned cascades on the items left out. */
  accuracy: number;
  /** Mean per-item accuracy difference from the model each fold's training part picked as best. */
  accuracyDifference: number;
  /** Its standard error, items as the unit. */
  standardError: number;
  /** 1 - cascade cost / that model's cost, on the items left out. */
  savings: number;
}

/** What a tuning procedure chose on a training part, and the model it compares against. */
export interface FoldChoice {
  candidate: Candidate;
  reference: number;
}

/** One fold: the items left out, and the rest to tune on. */
export interface FoldSplit {
  held: Dataset;
  train: Dataset;
}

/** The items shuffled (seeded), then dealt round-robin, so that every fold has n/folds of them. */
export function foldSplits(dataset: Dataset, folds = 5): FoldSplit[] {
  const shuffled = shuffledRows(dataset.ids.length, 41);
  return Array.from({ length: folds }, (_, fold) => ({
    held: pickRows(
      dataset,
      shuffled.filter((_, position) => position % folds === fold),
    ),
    train: pickRows(
      dataset,
      shuffled.filter((_, position) => position % folds !== fold),
    ),
  }));
}

/**
 * Each fold's choice measured on the items it left out, pooled. Which model counts as best is picked on
 * the training part too: that model looks better on its own training items than it is, and thresholds
 * look better there than they are, so only items left out say what to expect. Gates are simulated from
 * the recorded confidences and answers (learned gates are not supported here).
 */
export function scoreFolds(
  splits: readonly FoldSplit[],
  choices: readonly FoldChoice[],
  comparison: AnswerComparison,
): HeldOutFigures {
  let n = 0;
  let diff = 0;
  let diff2 = 0;
  let score = 0;
  let cost = 0;
  let referenceCost = 0;
  for (const [fold, { held, train }] of splits.entries()) {
    const { candidate, reference } = choices[fold]!;
    n += held.ids.length;
    const heldSignals = computeSignals(held, modelsByCost(train), comparison, { learned: false });
    const totals = new ChainSimulator(held, heldSignals, candidate.chain, candidate.kinds, 'final').totals(
      candidate.thresholds,
      {
        scores: held.score[reference]!,
        model: reference,
      },
    );
    diff += totals.diff;
    diff2 += totals.diff2;
    score += totals.score;
    cost += totals.cost;
    referenceCost += singleModelFigures(held, reference).costPerItem * held.ids.length;
  }
  const mean = diff / n;
  return {
    folds: splits.length,
    accuracy: score / n,
    accuracyDifference: mean,
    standardError: Math.sqrt(Math.max(0, diff2 / n - mean * mean) / n),
    savings: referenceCost > 0 ? 1 - cost / referenceCost : 0,
  };
}
