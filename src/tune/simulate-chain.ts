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
          this.gain[tier]![row] = fitted.gain[row]!;
          this.expectedScore[tier]![row] = fitted.score[row]!;
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
    const flat = this.rowMajor();
    const referenceScores = reference?.scores;
    // Per answering tier: whether it is the reference model (it then counts as not exposed).
    const isReference = this.chain.map((model) => model === reference?.model);
    const limits = Float64Array.from(thresholds);
    let score = 0;
    let score2 = 0;
    let cost = 0;
    let diff = 0;
    let diff2 = 0;
    let exposed = 0;
    let expectedDiff = 0;
    let expectedScore = 0;
    for (let row = 0, base = 0; row < this.n; row++, base += tiers) {
      let answered = -1;
      let last = -1;
      for (let tier = 0; tier < tiers; tier++) {
        const at = base + tier;
        if (!flat.available[at]) continue;
        cost += flat.cost[at]!;
        last = tier;
        if (tier === tiers - 1 || flat.signal[at]! >= limits[tier]!) {
          answered = tier;
          break;
        }
      }
      if (answered < 0) answered = last;
      if (answered < 0) {
        if (referenceScores) {
          const d = -referenceScores[row]!;
          diff += d;
          diff2 += d * d;
        }
        continue;
      }
      const at = base + answered;
      const value = flat.score[at]!;
      score += value;
      score2 += value * value;
      expectedDiff += flat.gain[at]!;
      expectedScore += flat.expectedScore[at]!;
      if (referenceScores) {
        const d = value - referenceScores[row]!;
        diff += d;
        diff2 += d * d;
        if (!isReference[answered]) exposed++;
      }
    }
    return { score, score2, cost, diff, diff2, exposed, expectedDiff, expectedScore };
  }

  /**
   * Totals for every candidate threshold of one tier, the others held: the same numbers as `totals` for
   * each, in one pass. A row answered before the tier, or skipping it, does not depend on the threshold;
   * a row that reaches it is either answered there or continues. Each such row's change (answered there
   * rather than continuing) goes into the bucket of the strictest candidate it still clears, and running
   * sums over the buckets give every candidate's totals.
   */
  sweep(thresholds: readonly number[], tier: number, candidates: readonly number[], reference?: Reference): Totals[] {
    const tiers = this.chain.length;
    const flat = this.rowMajor();
    const referenceScores = reference?.scores;
    const isReference = this.chain.map((model) => model === reference?.model);
    const fields = 8;
    const order = candidates.map((value, position) => ({ value, position })).sort((x, y) => y.value - x.value);
    const descending = Float64Array.from(order, (entry) => entry.value);
    // buckets[k]: rows whose signal clears descending[k] but not descending[k - 1]; the last bucket clears none.
    const buckets = new Float64Array((order.length + 1) * fields);
    const fixed = new Float64Array(fields);
    const add = (into: Float64Array, offset: number, sign: number, cost: number, answered: number, row: number) => {
      into[offset + 2]! += sign * cost;
      let value = 0;
      if (answered >= 0) {
        const at = row * tiers + answered;
        value = flat.score[at]!;
        into[offset]! += sign * value;
        into[offset + 1]! += sign * value * value;
        into[offset + 6]! += sign * flat.gain[at]!;
        into[offset + 7]! += sign * flat.expectedScore[at]!;
        if (referenceScores && !isReference[answered]) into[offset + 5]! += sign;
      }
      if (referenceScores) {
        const d = value - referenceScores[row]!;
        into[offset + 3]! += sign * d;
        into[offset + 4]! += sign * d * d;
      }
    };
    // From tier `from` on, with the held thresholds: who answers (the last tier that could, if no gate
    // passes) and the cost so far. Results in two variables, so the row loop allocates nothing.
    let walkedBy = -1;
    let walkedCost = 0;
    const walkOn = (base: number, from: number, cost: number, last: number) => {
      walkedBy = -1;
      for (let at = from; at < tiers; at++) {
        if (!flat.available[base + at]) continue;
        cost += flat.cost[base + at]!;
        last = at;
        if (at === tiers - 1 || flat.signal[base + at]! >= thresholds[at]!) {
          walkedBy = at;
          break;
        }
      }
      walkedCost = cost;
      if (walkedBy < 0) walkedBy = last;
    };
    for (let row = 0, base = 0; row < this.n; row++, base += tiers) {
      // Up to the tier, with the held thresholds.
      let cost = 0;
      let last = -1;
      let answered = -1;
      for (let at = 0; at < tier; at++) {
        if (!flat.available[base + at]) continue;
        cost += flat.cost[base + at]!;
        last = at;
        if (flat.signal[base + at]! >= thresholds[at]!) {
          answered = at;
          break;
        }
      }
      const index = base + tier;
      if (answered < 0 && tier < tiers - 1 && flat.available[index]) {
        // Reaches the tier with an answer: accepted there, or on to the later tiers.
        const accepted = cost + flat.cost[index]!;
        walkOn(base, tier + 1, accepted, tier);
        const continued = walkedCost;
        const by = walkedBy;
        add(fixed, 0, 1, continued, by, row);
        const signal = flat.signal[index]!;
        let bucket = 0;
        while (bucket < descending.length && signal < descending[bucket]!) bucket++;
        const offset = bucket * fields;
        add(buckets, offset, 1, accepted, tier, row);
        add(buckets, offset, -1, continued, by, row);
        continue;
      }
      if (answered < 0) {
        // Skips the tier (or it is the last one): the later tiers decide, as held.
        walkOn(base, tier, cost, last);
        cost = walkedCost;
        answered = walkedBy;
      }
      add(fixed, 0, 1, cost, answered, row);
    }
    const out = new Array<Totals>(candidates.length);
    const running = Float64Array.from(fixed);
    order.forEach(({ position }, k) => {
      for (let field = 0; field < fields; field++) running[field]! += buckets[k * fields + field]!;
      out[position] = { score: running[0]!, score2: running[1]!, cost: running[2]!, diff: running[3]!, diff2: running[4]!, exposed: Math.round(running[5]!), expectedDiff: running[6]!, expectedScore: running[7]! };
    });
    return out;
  }

  private flat?: { available: Uint8Array; cost: Float64Array; score: Float64Array; signal: Float64Array; gain: Float64Array; expectedScore: Float64Array };

  /** The per-tier columns laid out item by item, so the threshold loop reads memory in order. */
  private rowMajor() {
    if (this.flat) return this.flat;
    const tiers = this.chain.length;
    const size = this.n * tiers;
    const flat = { available: new Uint8Array(size), cost: new Float64Array(size), score: new Float64Array(size), signal: new Float64Array(size), gain: new Float64Array(size), expectedScore: new Float64Array(size) };
    for (let row = 0; row < this.n; row++) {
      for (let tier = 0; tier < tiers; tier++) {
        const at = row * tiers + tier;
        flat.available[at] = this.available[tier]![row]!;
        flat.cost[at] = this.cost[tier]![row]!;
        flat.score[at] = this.score[tier]![row]!;
        flat.signal[at] = this.signal[tier]![row]!;
        flat.gain[at] = this.gain[tier]![row]!;
        flat.expectedScore[at] = this.expectedScore[tier]![row]!;
      }
    }
    return (this.flat = flat);
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
