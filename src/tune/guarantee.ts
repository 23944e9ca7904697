import type { AnswerComparison } from '../../gates/normalize-answer.js';
import { type Dataset } from '../evaluation/dataset.js';
import { pickRows } from '../evaluation/dataset-rows.js';
import { computeExpectedGains, fittedQuantiles, recordedKinds } from './expected-gain.js';
import type { Objective } from './objective.js';
import { searchCascades, type Candidate } from './search.js';
import { computeSignals } from './signals.js';
import { ChainSimulator } from './simulate-chain.js';
import { shuffledRows } from '../statistics/statistics.js';
import { clopperPearsonLower, clopperPearsonUpper } from '../statistics/clopper-pearson.js';
import { bestSingleModel, modelsByCost, singleModelFigures } from '../evaluation/single-model.js';

export { clopperPearsonLower, clopperPearsonUpper };

/** Tolerances the selection half proposes cascades at, from strict to loose (fixed before calibration). */
const proposalTolerances = [-0.02, -0.01, -0.005, 0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08];

export interface GuaranteeCalibration {
  /** Items of the calibration half. */
  items: number;
  /** Of those, items the cascade got wrong where the best model was right, and the reverse. */
  losses: number;
  wins: number;
  /** The (1 - delta) lower bound of the accuracy difference: at least minus the tolerance. */
  differenceBound: number;
  /** How many proposals, strict to loose, passed before the first failure. */
  passed: number;
}

/**
 * Accuracy at least the best single model's minus `tolerance`, with probability at least 1 - delta
 * (items like the training items). Half the items propose cascades at a fixed list of tolerances, strict to
 * loose, ordered by how many items they answer below the best model there; the other half tests them in
 * that order (fixed-sequence testing, after Jung et al., "Trust or Escalate", ICLR 2025) and keeps the
 * last one whose accuracy difference from the best model has a lower bound of at least minus the
 * tolerance. The bound: Clopper-Pearson on the win rate (lower) minus Clopper-Pearson on the loss rate
 * (upper), delta/2 each. Testing in an order fixed before calibration needs no correction for the number
 * of proposals.
 */
export function chooseWithGuarantee(
  dataset: Dataset,
  options: { delta: number; tolerance: number; maxTiers: number; comparison: AnswerComparison },
): { candidate: Candidate; reference: number; calibration: GuaranteeCalibration } {
  const n = dataset.ids.length;
  const best = bestSingleModel(dataset);
  // A random half selects the proposals; the other half, which they never saw, tests them.
  const shuffled = shuffledRows(n, 53);
  const selection = pickRows(dataset, shuffled.slice(0, Math.floor(n / 2)));
  const calibration = pickRows(dataset, shuffled.slice(Math.floor(n / 2)));
  const order = modelsByCost(dataset);
  const reference = { scores: selection.score[best.index]!, model: best.index };
  const referenceCost = singleModelFigures(selection, best.index).costPerItem;
  const signals = computeSignals(selection, order, options.comparison, { learned: false });
  const expected = computeExpectedGains(selection, order, best.index, options.comparison);
  const calibrationSignals = computeSignals(calibration, order, options.comparison, { learned: false });
  const alone: Candidate = { chain: [best.index], kinds: [undefined], thresholds: [Infinity], value: 0 };
  let chosen = alone;
  let result: GuaranteeCalibration = {
    items: calibration.ids.length,
    losses: 0,
    wins: 0,
    differenceBound: 0,
    passed: 0,
  };
  const proposals = proposalTolerances.map((tolerance) => {
    const objective: Objective = { kind: 'match-best', z: 0, estimate: 'blend', tolerance };
    const proposal = searchCascades(selection, signals, order, {
      objective,
      maxTiers: options.maxTiers,
      variant: 'final',
      reference,
      referenceCost,
      expected,
      kinds: recordedKinds,
      quantiles: fittedQuantiles,
    }).best;
    const exposed = new ChainSimulator(selection, signals, proposal.chain, proposal.kinds, 'final').totals(
      proposal.thresholds,
      reference,
    ).exposed;
    return { proposal, exposed };
  });
  proposals.sort((a, b) => a.exposed - b.exposed);
  const m = calibration.ids.length;
  for (const { proposal, exposed } of proposals) {
    // Answered by the best model throughout: the same as keeping it alone, nothing to test.
    if (exposed === 0) continue;
    const figures = new ChainSimulator(
      calibration,
      calibrationSignals,
      proposal.chain,
      proposal.kinds,
      'final',
    ).figures(proposal.thresholds);
    let losses = 0;
    let wins = 0;
    for (let row = 0; row < m; row++) {
      const difference = figures.scores[row]! - calibration.score[best.index]![row]!;
      if (difference < 0) losses -= difference;
      else wins += difference;
    }
    const differenceBound =
      clopperPearsonLower(Math.floor(wins + 1e-9), m, options.delta / 2) -
      clopperPearsonUpper(Math.ceil(losses - 1e-9), m, options.delta / 2);
    if (differenceBound < -options.tolerance) break;
    chosen = proposal;
    result = { items: m, losses, wins, differenceBound, passed: result.passed + 1 };
  }
  return { candidate: chosen, reference: best.index, calibration: result };
}
