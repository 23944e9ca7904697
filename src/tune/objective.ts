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
}

/** Lower is better; undefined when the constraint fails. */
export function objectiveValue(objective: Objective, totals: Totals, n: number, referenceCost: number): number | undefined {
  const accuracy = totals.score / n;
  const cost = totals.cost / n;
  const spread = (sum: number, squares: number) => Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2) / n);
  const accuracyBound = accuracy - objective.z * spread(totals.score, totals.score2);
  switch (objective.kind) {
    case 'match-best': {
      const differenceBound = totals.diff / n - objective.z * spread(totals.diff, totals.diff2);
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
