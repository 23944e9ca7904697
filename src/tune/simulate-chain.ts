import type { Dataset } from '../evaluation/dataset.js';
import type { ExpectedGain } from './expected-gain.js';
import type { Totals } from './objective.js';
import { pairKey, type GateKind, type PairSignals } from './signals.js';

/** The model a cascade is compared with: its per-item scores, and which model it is. */
export interface Reference {
  scores: Float64Array;
  model: number;
}

/** One tier of a candidate cascade; the last tier has no gate and accepts what it gets. */
export interface TierPlan {
  model: number;
  kind?: GateKind;
  threshold: number;
}

export interface ChainFigures {
  accuracy: number;
  costPerItem: number;
  /** Per-item quality and cost, for intervals and paired comparisons. */
  scores: Float64Array;
  costs: Float64Array;
  /** The tier that answered each item (-1: none). */
  answeredBy: Int32Array;
  /** For each tier: items that reached it with an answer, and how many its gate passed. */
  gateChecks: number[];
  gatePasses: number[];
}

/**
 * A chain of models with fixed gate kinds, laid out per item so that trying thresholds is a tight
 * loop. It follows the engine exactly: a tier without a recorded answer is skipped at no cost, a gate
 * sees the last tier that did answer, and when no gate passes the last answer stands.
 */
export class ChainSimulator {
  private readonly n: number;
  private readonly available: Uint8Array[];
  private readonly cost: Float64Array[];
  private readonly score: Float64Array[];
  private readonly signal: Float64Array[];
  /** Per tier and item, the fitted gain over the reference and chance of being right (zero without fits). */
  private readonly gain: Float64Array[];
  private readonly expectedScore: Float64Array[];

  constructor(
    dataset: Dataset,
    signals: Map<string, PairSignals>,
    readonly chain: readonly number[],
    readonly kinds: readonly (GateKind | undefined)[],
    variant: 'final' | 'honest',
    expected?: Map<string, ExpectedGain>,
  ) {
    this.n = dataset.ids.length;
    this.available = chain.map((model) => dataset.available[model]!);
    this.cost = chain.map((model) => dataset.cost[model]!);
    this.score = chain.map((model) => dataset.score[model]!);
    this.signal = chain.map(() => new Float64Array(this.n).fill(-Infinity));
    this.gain = chain.map(() => new Float64Array(this.n));
    this.expectedScore = chain.map(() => new Float64Array(this.n));
    for (let row = 0; row < this.n; row++) {
      let previous: number | undefined;
      chain.forEach((model, tier) => {
        if (!this.available[tier]![row]) return;
        const kind = kinds[tier];
        const values = kind && signals.get(pairKey(model, previous))?.signals[kind];
        // A gate with nothing to look at (agreement on the first answer, a missing confidence) fails.
        const value = values ? values[variant][row]! : -Infinity;
        this.signal[tier]![row] = Number.isNaN(value) ? -Infinity : value;
        const fitted = expected?.get(pairKey(model, previous));
        if (fitted) {
          this.gain[tier]![row] = fitted.gain[variant][row]!;
          this.expectedScore[tier]![row] = fitted.score[variant][row]!;
        }
        previous = model;
      });
    }
  }

  /** The signal values a tier's gate sees, for choosing threshold candidates. */
  signalOf(tier: number): Float64Array {
    return this.signal[tier]!;
  }

  /** Sums over items for a set of thresholds (one per tier; the last is ignored). */
  totals(thresholds: readonly number[], reference?: Reference): Totals {
    const tiers = this.chain.length;
    let score = 0;
    let score2 = 0;
    let cost = 0;
    let diff = 0;
    let diff2 = 0;
    let exposed = 0;
    let expectedDiff = 0;
    let expectedScore = 0;
    for (let row = 0; row < this.n; row++) {
      let answered = -1;
      let last = -1;
      for (let tier = 0; tier < tiers; tier++) {
        if (!this.available[tier]![row]) continue;
        cost += this.cost[tier]![row]!;
        last = tier;
        if (tier === tiers - 1 || this.signal[tier]![row]! >= thresholds[tier]!) {
          answered = tier;
          break;
        }
      }
      if (answered < 0) answered = last;
      const value = answered < 0 ? 0 : this.score[answered]![row]!;
      score += value;
      score2 += value * value;
      if (answered >= 0) {
        expectedDiff += this.gain[answered]![row]!;
        expectedScore += this.expectedScore[answered]![row]!;
      }
      if (reference) {
        const d = value - reference.scores[row]!;
        diff += d;
        diff2 += d * d;
        if (answered >= 0 && this.chain[answered] !== reference.model) exposed++;
      }
    }
    return { score, score2, cost, diff, diff2, exposed, expectedDiff, expectedScore };
  }

  /** Full per-item figures for one set of thresholds. */
  figures(thresholds: readonly number[]): ChainFigures {
    const tiers = this.chain.length;
    const scores = new Float64Array(this.n);
    const costs = new Float64Array(this.n);
    const answeredBy = new Int32Array(this.n).fill(-1);
    const gateChecks = new Array<number>(tiers).fill(0);
    const gatePasses = new Array<number>(tiers).fill(0);
    for (let row = 0; row < this.n; row++) {
      let last = -1;
      for (let tier = 0; tier < tiers; tier++) {
        if (!this.available[tier]![row]) continue;
        costs[row]! += this.cost[tier]![row]!;
        last = tier;
        if (tier === tiers - 1) {
          answeredBy[row] = tier;
          break;
        }
        gateChecks[tier]!++;
        if (this.signal[tier]![row]! >= thresholds[tier]!) {
          gatePasses[tier]!++;
          answeredBy[row] = tier;
          break;
        }
      }
      if (answeredBy[row]! < 0) answeredBy[row] = last;
      scores[row] = answeredBy[row]! < 0 ? 0 : this.score[answeredBy[row]!]![row]!;
    }
    let accuracy = 0;
    let costPerItem = 0;
    for (let row = 0; row < this.n; row++) {
      accuracy += scores[row]!;
      costPerItem += costs[row]!;
    }
    return { accuracy: accuracy / this.n, costPerItem: costPerItem / this.n, scores, costs, answeredBy, gateChecks, gatePasses };
  }
}
