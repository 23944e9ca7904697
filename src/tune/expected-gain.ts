import { answersAgree, type AnswerComparison } from '../../gates/normalize-answer.js';
import type { Dataset } from '../evaluation/dataset.js';
import { fitLogistic, predictProbability, type LogisticModel } from '../statistics/logistic-regression.js';
import { pairKey, type GateKind } from './signals.js';

/**
 * For one tier (a model, after a previous one or first): per item, the probability that its answer is
 * right and the probability that the reference model's answer is right, both given what its gate can
 * see (its confidence, the previous tier's confidence, whether the two agree). Their difference is the
 * expected gain of accepting the tier's answer instead of the reference's.
 *
 * Why smooth: choosing thresholds on the raw 0/1 outcomes of a few hundred items picks the thresholds
 * where the cheap model happened to be right and the reference happened to be wrong (the winner's
 * curse). A three-feature logistic fit has almost nothing to overfit, so the accuracy a tuned cascade
 * expects on the training file is close to what it gets on new items (after Zellinger & Thomson's
 * rational tuning, with a logistic fit standing in for their copula).
 */
export interface ExpectedGain {
  /** Per item: the fitted chance that the tier is right, minus the reference's. */
  gain: Float64Array;
  /** The two fits (the tier's chance, the reference's), to start a fit of an overlapping sample from. */
  fits?: { own: LogisticModel; theirs: LogisticModel };
}

/** Gates the fitted-gain objectives use: those a recorded answer always carries at run time. */
export const recordedKinds: readonly GateKind[] = ['confidence', 'agreement'];

/** Threshold candidates per gate for the fitted-gain objectives (quantiles of its signal). */
export const fittedQuantiles = 20;

/**
 * L2 penalties of the fits (on standardised features). With a confidence to look at, the fit smooths over
 * it and needs little penalty. With only whether two answers agree, it is two group rates, as noisy as the
 * raw outcomes; a strong penalty pulls it toward the tier's average, which for a cheaper tier means doubt
 * (bench/cost-quality: on routerbench-arc, 1 gave -0.6 points on unseen items, 30 gave -0.1).
 */
const smoothPenalty = 1;
const binaryPenalty = 30;

const logit = (value: number) => {
  const clamped = Math.min(1 - 1e-6, Math.max(1e-6, value));
  return Math.log(clamped / (1 - clamped));
};

/**
 * A confidence as the fit sees it: its log-odds, and whether it sits at the top (models report 1.0, or
 * within rounding of it, for a large share of their answers, and that spike behaves unlike its neighbours).
 */
function confidenceFeatures(value: number): number[] {
  if (!Number.isFinite(value)) return [0, 0, 0];
  return [logit(value), value >= 1 - 1e-6 ? 1 : 0, 1];
}

function pairFeatures(
  dataset: Dataset,
  model: number,
  previous: number | undefined,
  row: number,
  comparison: AnswerComparison,
): number[] {
  const own = dataset.confidence[model]![row]!;
  const features = confidenceFeatures(own);
  if (previous !== undefined && dataset.available[previous]![row]) {
    const before = dataset.confidence[previous]![row]!;
    features.push(...confidenceFeatures(before));
    features.push(answersAgree(dataset.text[model]![row]!, dataset.text[previous]![row]!, comparison) ? 1 : 0);
  } else if (previous !== undefined) {
    features.push(...confidenceFeatures(Number.NaN), 0);
  }
  return features;
}

/**
 * Expected gains for every pair `computeSignals` covers, against `reference` (a model index). `start`:
 * the gains of a sample overlapping this one (the whole file, for a fold of it), whose fits start these.
 */
export function computeExpectedGains(
  dataset: Dataset,
  order: readonly number[],
  reference: number,
  comparison: AnswerComparison,
  start?: Map<string, ExpectedGain>,
): Map<string, ExpectedGain> {
  const n = dataset.ids.length;
  const out = new Map<string, ExpectedGain>();
  const referenceScore = dataset.score[reference]!;
  for (const [position, model] of order.entries()) {
    const available = dataset.available[model]!;
    const rows = [...Array(n).keys()].filter((row) => available[row] === 1);
    const fitPenalty = rows.some((row) => Number.isFinite(dataset.confidence[model]![row]!))
      ? smoothPenalty
      : binaryPenalty;
    for (const previous of [undefined, ...order.slice(0, position)]) {
      const fitted: ExpectedGain = { gain: new Float64Array(n) };
      out.set(pairKey(model, previous), fitted);
      // The reference against itself gains nothing, exactly.
      if (rows.length === 0 || model === reference) continue;
      const features = Array.from({ length: n }, (_, row) => pairFeatures(dataset, model, previous, row, comparison));
      const x = rows.map((row) => features[row]!);
      const earlier = start?.get(pairKey(model, previous))?.fits;
      const own = fitLogistic(
        x,
        Float64Array.from(rows, (row) => dataset.score[model]![row]!),
        fitPenalty,
        earlier?.own,
      );
      const theirs = fitLogistic(
        x,
        Float64Array.from(rows, (row) => referenceScore[row]!),
        fitPenalty,
        earlier?.theirs,
      );
      fitted.fits = { own, theirs };
      for (let row = 0; row < n; row++)
        fitted.gain[row] = predictProbability(own, features[row]!) - predictProbability(theirs, features[row]!);
    }
  }
  return out;
}
