/**
 * What tuning optimises. Accuracy is judged by a lower confidence bound (`z` standard errors under the
 * mean), so a cascade that only looks as good as the best model on a small training set is not picked.
 */
export type Objective =
  /** Lowest cost whose accuracy is not below the best single model's (paired bound). */
  | { kind: 'match-best'; z: number }
  /** Lowest cost whose accuracy bound reaches `target`. */
  | { kind: 'target-accuracy'; target: number; z: number }
  /** Highest accuracy bound at a cost per item of at most `maxCost`. */
  | { kind: 'max-cost'; maxCost: number; z: number }
  /** Highest (accuracy bound - weight x cost / best model's cost). */
  | { kind: 'tradeoff'; weight: number; z: number };

export interface Totals {
  score: number;
  score2: number;
  cost: number;
  diff: number;
  diff2: number;
  /** Items answered by a model other than the reference. */
  exposed: number;
}

/**
 * Standard errors of margin by default: a one-sided 95% bound, the same as `--guarantee --delta 0.05`.
 * Accuracy first: on the small training sets of ../shared/data, a margin of 1 still lost up to 1.6
 * points on test (bench/cost-quality); smaller margins save more and risk more.
 */
export const defaultMargin = 1.645;

/** Lower is better; undefined when the constraint fails. */
export function objectiveValue(objective: Objective, totals: Totals, n: number, referenceCost: number): number | undefined {
  const accuracy = totals.score / n;
  const cost = totals.cost / n;
  const spread = (sum: number, squares: number) => Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2) / n);
  const accuracyBound = accuracy - objective.z * spread(totals.score, totals.score2);
  switch (objective.kind) {
    case 'match-best': {
      // Items answered by another model may disagree with the reference even when none did in training:
      // add the disagreement a uniform prior expects among them (e/(e+2) of an item), so that zero losses
      // seen in a few hundred items does not read as certainty. The reference alone stays exact.
      const pseudo = totals.exposed / (totals.exposed + 2);
      const differenceBound = totals.diff / n - objective.z * spread(totals.diff, totals.diff2 + pseudo);
      return differenceBound >= -1e-12 ? cost : undefined;
    }
    case 'target-accuracy':
      return accuracyBound >= objective.target ? cost : undefined;
    case 'max-cost':
      return cost <= objective.maxCost ? -accuracyBound : undefined;
    case 'tradeoff':
      return -(accuracyBound - (objective.weight * cost) / (referenceCost || 1));
  }
}
