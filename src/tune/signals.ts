import { classifierKey } from '../../gates/learned.js';
import { learnedFeatures, questionChars } from '../../gates/learned-features.js';
import { answersAgree, type AnswerComparison } from '../../gates/normalize-answer.js';
import type { Dataset } from '../evaluation/dataset.js';
import { fitLogistic, predictProbability, type LogisticModel } from '../statistics/logistic-regression.js';
import { areaUnderCurve, seededRandom } from '../statistics/statistics.js';

export type GateKind = 'confidence' | 'agreement' | 'learned';

/** What a gate on `model` (answering after `previous`, or first) can see, for every item. */
export interface PairSignals {
  model: number;
  previous: number | undefined;
  /** The gate tune picks for this pair: the one that best tells right answers from wrong ones. */
  kind: GateKind;
  /**
   * Each available gate's signal: `final` as the gate computes it at run time (learned: the classifier
   * fitted on all items), `honest` out of fold (fitted without the item), for choosing thresholds.
   */
  signals: Partial<Record<GateKind, { final: Float64Array; honest: Float64Array }>>;
  /** The learned gate's classifier, when the learned gate was computed. */
  classifier?: LogisticModel;
  auc: Partial<Record<GateKind, number>>;
}

const folds = 5;

/**
 * For every model and every cheaper model that may come before it, compute the three candidate gate
 * signals and keep the most discriminating one. A simpler gate wins unless the classifier is clearly better.
 */
export function computeSignals(
  dataset: Dataset,
  order: readonly number[],
  comparison: AnswerComparison,
  options: { learned?: boolean } = {},
): Map<string, PairSignals> {
  const withLearned = options.learned ?? true;
  const n = dataset.ids.length;
  const questionLengths = dataset.messages.map((messages) => questionChars(messages));
  const random = seededRandom(13);
  const fold = Int32Array.from({ length: n }, () => Math.floor(random() * folds));
  const signals = new Map<string, PairSignals>();
  for (const [position, model] of order.entries()) {
    const available = dataset.available[model]!;
    const label = dataset.score[model]!;
    const include = (row: number) => available[row] === 1;
    for (const previous of [undefined, ...order.slice(0, position)]) {
      const features = !withLearned
        ? []
        : Array.from({ length: n }, (_, row) =>
            learnedFeatures(
              {
                answer: dataset.text[model]![row]!,
                confidence: dataset.confidence[model]![row]!,
                previous:
                  previous !== undefined && dataset.available[previous]![row]
                    ? dataset.text[previous]![row]!
                    : undefined,
                messages: dataset.messages[row]!,
                comparison,
              },
              questionLengths[row]!,
            ),
          );
      const rows = [...Array(n).keys()].filter(include);
      const classifier = withLearned
        ? fitLogistic(
            rows.map((row) => features[row]!),
            Float64Array.from(rows, (row) => label[row]!),
          )
        : undefined;
      const candidates: { kind: GateKind; signal: Float64Array; honest: Float64Array }[] = [];
      const confidence = dataset.confidence[model]!;
      if (rows.some((row) => Number.isFinite(confidence[row]!)))
        candidates.push({ kind: 'confidence', signal: confidence, honest: confidence });
      if (previous !== undefined) {
        const agreement = Float64Array.from({ length: n }, (_, row) =>
          dataset.available[previous]![row] &&
          answersAgree(dataset.text[model]![row]!, dataset.text[previous]![row]!, comparison)
            ? 1
            : 0,
        );
        candidates.push({ kind: 'agreement', signal: agreement, honest: agreement });
      }
      if (classifier)
        candidates.push({
          kind: 'learned',
          signal: Float64Array.from(features, (row) => predictProbability(classifier, row)),
          honest: outOfFold(features, rows, label, fold, classifier),
        });
      const auc: Partial<Record<GateKind, number>> = {};
      for (const candidate of candidates) auc[candidate.kind] = areaUnderCurve(candidate.honest, label, include);
      // With no confidence and nothing before it, a tier has no gate; a learned one is always possible.
      if (candidates.length === 0) continue;
      let chosen = candidates[0]!;
      for (const candidate of candidates) {
        const margin = candidate.kind === 'learned' ? 0.01 : 0;
        if (auc[candidate.kind]! > auc[chosen.kind]! + margin) chosen = candidate;
      }
      const pairSignals = Object.fromEntries(
        candidates.map((candidate) => [candidate.kind, { final: candidate.signal, honest: candidate.honest }]),
      );
      signals.set(pairKey(model, previous), {
        model,
        previous,
        kind: chosen.kind,
        signals: pairSignals,
        ...(classifier && { classifier }),
        auc,
      });
    }
  }
  return signals;
}

/** The classifier's prediction for each item from a fit that left the item's fold out. */
function outOfFold(
  features: readonly number[][],
  rows: readonly number[],
  label: Float64Array,
  fold: Int32Array,
  whole: LogisticModel,
): Float64Array {
  const honest = new Float64Array(features.length);
  for (let k = 0; k < folds; k++) {
    const train = rows.filter((row) => fold[row] !== k);
    const foldModel = fitLogistic(
      train.map((row) => features[row]!),
      Float64Array.from(train, (row) => label[row]!),
      1,
      // The fit on every row is close to each fold's: started from it, Newton's method needs fewer steps.
      whole,
    );
    for (let row = 0; row < features.length; row++)
      if (fold[row] === k) honest[row] = predictProbability(foldModel, features[row]!);
  }
  return honest;
}

export function pairKey(model: number, previous: number | undefined): string {
  return `${model}|${previous ?? -1}`;
}

/** The learned gate's classifiers for every pair a chain can meet (a tier after any earlier one, or first). */
export function classifiersFor(
  dataset: Dataset,
  signals: Map<string, PairSignals>,
  chain: readonly number[],
): Record<string, LogisticModel> {
  const out: Record<string, LogisticModel> = {};
  chain.forEach((model, position) => {
    for (const previous of [undefined, ...chain.slice(0, position)]) {
      const pair = signals.get(pairKey(model, previous));
      if (!pair?.classifier) continue;
      out[classifierKey(dataset.models[model]!, previous === undefined ? undefined : dataset.models[previous])] =
        pair.classifier;
    }
  });
  return out;
}
