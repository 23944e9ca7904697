import { answersAgree, type AnswerComparison } from '../../gates/normalize-answer.js';
import type { Dataset } from '../evaluation/dataset.js';
import { fitLogistic, predictProbability } from './logistic-regression.js';
import { pairKey } from './signals.js';
import { seededRandom } from './statistics.js';

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
  /** Fitted on every item (`final`), and out of fold (`honest`), for choosing thresholds. */
  gain: { final: Float64Array; honest: Float64Array };
  /** The tier's own probability of being right. */
  score: { final: Float64Array; honest: Float64Array };
}

const folds = 5;

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

function pairFeatures(dataset: Dataset, model: number, previous: number | undefined, row: number, comparison: AnswerComparison): number[] {
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

/** Expected gains for every pair `computeSignals` covers, against `reference` (a model index). */
export function computeExpectedGains(dataset: Dataset, order: readonly number[], reference: number, comparison: AnswerComparison): Map<string, ExpectedGain> {
  const n = dataset.ids.length;
  const random = seededRandom(29);
  const fold = Int32Array.from({ length: n }, () => Math.floor(random() * folds));
  const out = new Map<string, ExpectedGain>();
  const referenceScore = dataset.score[reference]!;
  for (const [position, model] of order.entries()) {
    const available = dataset.available[model]!;
    const rows = [...Array(n).keys()].filter((row) => available[row] === 1);
    for (const previous of [undefined, ...order.slice(0, position)]) {
      const gain = { final: new Float64Array(n), honest: new Float64Array(n) };
      const score = { final: new Float64Array(n), honest: new Float64Array(n) };
      if (rows.length === 0) {
        out.set(pairKey(model, previous), { gain, score });
        continue;
      }
      const features = Array.from({ length: n }, (_, row) => pairFeatures(dataset, model, previous, row, comparison));
      const fit = (train: number[], predict: (row: number) => boolean, into: { gain: Float64Array; score: Float64Array }) => {
        const x = train.map((row) => features[row]!);
        const own = fitLogistic(x, Float64Array.from(train, (row) => dataset.score[model]![row]!));
        const theirs = model === reference ? own : fitLogistic(x, Float64Array.from(train, (row) => referenceScore[row]!));
        for (let row = 0; row < n; row++) {
          if (!predict(row)) continue;
          const p = predictProbability(own, features[row]!);
          into.score[row] = p;
          into.gain[row] = model === reference ? 0 : p - predictProbability(theirs, features[row]!);
        }
      };
      fit(rows, () => true, { gain: gain.final, score: score.final });
      for (let k = 0; k < folds; k++) {
        const train = rows.filter((row) => fold[row] !== k);
        fit(train.length > 0 ? train : rows, (row) => fold[row] === k, { gain: gain.honest, score: score.honest });
      }
      out.set(pairKey(model, previous), { gain, score });
    }
  }
  return out;
}
