import type { Dataset } from '../evaluation/dataset.js';
import { plural } from '../common/plural.js';

/**
 * What tuning optimises. Accuracy is judged by a lower confidence bound (`z` standard errors under the
 * mean), so a cascade that only looks as good as the best model on a small training set is not picked.
 */
export type Objective =
  /** Lowest cost whose accuracy is not below the best single model's (paired bound). */
  | {
      kind: 'match-best';
      z: number;
      estimate?: 'paired-bound' | 'blend' | 'guarantee';
      tolerance?: number;
      delta?: number;
    }
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
  /** Sum of the fitted gain over the reference (expected-gain.ts). */
  expectedDiff: number;
}

/**
 * Standard errors of margin by default: a one-sided 95% bound, the same as `--guarantee --delta 0.05`.
 * Accuracy first: on the small training sets of ../shared/data, a margin of 1 still lost up to 1.6
 * points on test (bench/cost-quality); smaller margins save more and risk more.
 */
export const defaultMargin = 1.645;

/**
 * What `cascade tune` seeks without flags: the lowest cost whose accuracy is not expected to fall below
 * the best single model's, judged by the blend of observed and fitted gains less 0.1 standard error of
 * the observed difference. That small margin grows where the evidence is thin (few items, many answers
 * that differ from the best model's): on 40 random splits of ../shared/data (bench/cost-quality), it took
 * zellinger-gsm8k at 150 items from -0.82 to -0.47 points and its one-in-ten drop from 2.67 to 2.00, for
 * 3 to 4 points of the savings captured on mmlu and medmcqa at 300; margins of 0.05 to 0.25 traced that
 * trade, and any tolerance on top lost more than 0.5 points on gsm8k, or on mmlu at 900 items.
 */
export const defaultObjective: Objective = { kind: 'match-best', z: 0.1, estimate: 'blend', tolerance: 0 };

/**
 * The disagreement with the reference model the default allows when quality is agreement with it (no
 * labels, `--reference`, an `--explore` file): that model agrees with itself on every item, so "not
 * below it" would leave it alone however good the cheaper tiers are. A cheaper tier that disagrees is
 * sometimes the one that is right, so a point of disagreement costs less than a point of accuracy.
 * Measured with the labels hidden and then used to score (bench/tune-unlabelled, 20 splits, 300
 * items, 150 on gsm8k): 0.01 gave -0.30 points (one split in ten below -0.8) and 25% saved on mmlu,
 * -0.30 (-0.8) and 22% on medmcqa, +0.73 and 73% on gsm8k; 0.02 saved 41%, 31% and 84% at -0.31,
 * -0.64 and +0.93 points; 0 saved nothing.
 */
export const agreementTolerance = 0.01;

/**
 * The objective for a data set: with quality measured as agreement with a model and no tolerance given,
 * the default objective allows `agreementTolerance`. A guarantee or a margin the user asked for is left
 * as asked: it is a promise, and only the default was measured on agreement.
 */
export function objectiveForQuality(objective: Objective, dataset: Dataset, toleranceGiven: boolean): Objective {
  if (!dataset.quality || toleranceGiven || objective.kind !== 'match-best' || objective.estimate !== 'blend')
    return objective;
  return { ...objective, tolerance: agreementTolerance };
}

/** Whether the objective reads the fitted gains of expected-gain.ts (and so needs them computed). */
export function usesFittedGains(objective: Objective): boolean {
  return objective.kind === 'match-best' && (objective.estimate === 'blend' || objective.estimate === 'guarantee');
}

/** Lower is better; undefined when the constraint fails. */
export function objectiveValue(
  objective: Objective,
  totals: Totals,
  n: number,
  referenceCost: number,
): number | undefined {
  const accuracy = totals.score / n;
  const cost = totals.cost / n;
  const spread = (sum: number, squares: number) => Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2) / n);
  const accuracyBound = accuracy - objective.z * spread(totals.score, totals.score2);
  switch (objective.kind) {
    case 'match-best': {
      // The reference alone always qualifies, however strict the tolerance.
      if (totals.exposed === 0) return cost;
      // Items answered by another model may disagree with the reference even when none did in training:
      // add the disagreement a uniform prior expects among them (e/(e+2) of an item), so that zero losses
      // seen in a few hundred items does not read as certainty. The reference alone stays exact.
      const pseudo = totals.exposed / (totals.exposed + 2);
      const margin = objective.z * spread(totals.diff, totals.diff2 + pseudo);
      // The mean of the observed and the fitted gain (expected-gain.ts) over the reference, less the margin.
      const difference = objective.estimate === 'blend' ? (totals.diff + totals.expectedDiff) / 2 / n : totals.diff / n;
      return difference - margin >= -(objective.tolerance ?? 0) - 1e-12 ? cost : undefined;
    }
    case 'target-accuracy':
      return accuracyBound >= objective.target ? cost : undefined;
    case 'max-cost':
      return cost <= objective.maxCost ? -accuracyBound : undefined;
    case 'tradeoff':
      return -(accuracyBound - (objective.weight * cost) / (referenceCost || 1));
  }
}

/** The objective in words, for the tuned file, the report and the CLI. */
export function describeObjective(objective: Objective): string {
  const z = decimal(objective.z, 3);
  const bound = `a lower bound ${z} standard errors under the mean`;
  switch (objective.kind) {
    case 'match-best': {
      const points = objective.tolerance ? decimal(100 * objective.tolerance, 2) : '';
      const tolerance = points ? ` less ${plural(points, 'point')}` : '';
      if (objective.estimate === 'guarantee') {
        return `accuracy at least the best single model's${tolerance || ' (no loss)'} with probability ${decimal(1 - (objective.delta ?? 0.05), 3)}, by fixed-sequence testing on a calibration half`;
      }
      if (objective.estimate === 'paired-bound' || objective.estimate === undefined)
        return `lowest cost whose accuracy, by ${bound} of the paired difference, is at least the best single model's${tolerance}`;
      return `lowest cost whose accuracy is expected to be at least the best single model's${tolerance} (observed and fitted gains blended${objective.z ? `, less ${z} standard errors` : ''})`;
    }
    case 'target-accuracy':
      return `lowest cost whose accuracy, by ${bound}, reaches ${(100 * objective.target).toFixed(1)}%`;
    case 'max-cost':
      return `highest accuracy (by ${bound}) at $${objective.maxCost} per item or less`;
    case 'tradeoff':
      return `highest accuracy (by ${bound}) minus ${objective.weight} x cost / the best model's cost`;
  }
}

/** `value` to `digits` decimals, without trailing zeros (0.100 as 0.1, 1.000 as 1). */
function decimal(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, '');
}
