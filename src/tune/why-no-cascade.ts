import { percent as pct } from '../common/format-percent.js';
import { type Objective, usesFittedGains } from './objective.js';
import type { TuneResult } from './tune.js';

/**
 * When the margin leaves only the best model, say what a cascade without a margin would have saved,
 * so the user can weigh the risk or label more items (a larger sample narrows the bound).
 */
export function whyNoCascade(result: TuneResult, objective: Objective): string[] {
  const plain = result.baseline;
  if (
    objective.kind !== 'match-best' ||
    objective.estimate === 'guarantee' ||
    result.tiers.length > 1 ||
    !plain ||
    plain.tiers.length < 2
  )
    return [];
  const savings = result.bestSingle.costPerItem > 0 ? 1 - plain.costPerItem / result.bestSingle.costPerItem : 0;
  const best = result.bestSingle.model;
  const points = objective.tolerance ? (100 * objective.tolerance).toFixed(1) : undefined;
  const test = usesFittedGains(objective)
    ? `is expected to keep ${best}'s accuracy${points ? ` within ${points} points` : ''}`
    : `beats ${best}${points ? ` less ${points} points` : ''} by a margin of ${objective.z} standard errors`;
  return [
    `no cascade ${test} on ${result.items} items;`,
    `  a plain grid search, taking the file at face value, would pick ${plain.tiers.map((tier) => tier.model).join(' -> ')} and save ${pct(savings)} on it (accuracy ${pct(plain.accuracy)}),`,
    `  but such in-sample choices lose accuracy on new items. Add more items to tune on, or allow a loss with --tolerance to take the risk.`,
  ];
}
