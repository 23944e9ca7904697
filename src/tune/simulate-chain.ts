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

/** The per-tier columns of a chain laid out item by item (index: row x tiers + tier). */
interface RowMajor {
  available: Uint8Array;
  cost: Float64Array;
  score: Float64Array;
  signal: Float64Array;
  gain: Float64Array;
}

/** Where a walk over a row's tiers ended: the tier that answered and the cost spent. */
interface Walked {
  by: number;
  cost: number;
}

/**
 * Walk one row's tiers from `from` on, as the engine does: skip a tier without an answer, stop at the
 * first whose gate clears its threshold (the last tier always answers); if none does, the last tier
 * that answered stands (`last`, carried in from earlier tiers). Writes into `out`, so hot loops allocate
 * nothing.
 */
function walkOn(
  flat: RowMajor,
  tiers: number,
  thresholds: ArrayLike<number>,
  base: number,
  from: number,
  cost: number,
  last: number,
  out: Walked,
): void {
  out.by = -1;
  for (let at = from; at < tiers; at++) {
    if (!flat.available[base + at]) continue;
    cost += flat.cost[base + at]!;
    last = at;
    if (at === tiers - 1 || flat.signal[base + at]! >= thresholds[at]!) {
      out.by = at;
      break;
    }
  }
  out.cost = cost;
  if (out.by < 0) out.by = last;
}

/**
 * Adds one row's outcome (the tier that answered, the cost spent) into a flat array of sums, the fields of
 * `Totals` in order; `sign` -1 takes one out, so `sweep` can record what changes between two outcomes.
 */
class Tally {
  static readonly fields = 7;
  private readonly referenceScores: Float64Array | undefined;
  /** Per tier: whether it is the reference model (answering there is not exposed). */
  private readonly isReference: boolean[];

  constructor(
    private readonly flat: RowMajor,
    private readonly tiers: number,
    chain: readonly number[],
    reference: Reference | undefined,
  ) {
    this.referenceScores = reference?.scores;
    this.isReference = chain.map((model) => model === reference?.model);
  }

  add(into: Float64Array, offset: number, sign: number, cost: number, answered: number, row: number): void {
    into[offset + 2]! += sign * cost;
    let value = 0;
    if (answered >= 0) {
      const at = row * this.tiers + answered;
      value = this.flat.score[at]!;
      into[offset]! += sign * value;
      into[offset + 1]! += sign * value * value;
      into[offset + 6]! += sign * this.flat.gain[at]!;
      if (this.referenceScores && !this.isReference[answered]) into[offset + 5]! += sign;
    }
    if (this.referenceScores) {
      const d = value - this.referenceScores[row]!;
      into[offset + 3]! += sign * d;
      into[offset + 4]! += sign * d * d;
    }
  }

  static totals(sums: Float64Array, offset: number): Totals {
    return {
      score: sums[offset]!,
      score2: sums[offset + 1]!,
      cost: sums[offset + 2]!,
      diff: sums[offset + 3]!,
      diff2: sums[offset + 4]!,
      exposed: Math.round(sums[offset + 5]!),
      expectedDiff: sums[offset + 6]!,
    };
  }
}

/**
 * A chain of models with fixed gate kinds, laid out per item so that trying thresholds is a tight
 * loop. It follows the engine exactly: a tier without a recorded answer is skipped at no cost, a gate
 * sees the last tier that did answer, and when no gate passes the last answer stands.
 */
export class ChainSimulator {
  private readonly n: number;
  /** The chain's columns laid out item by item, so the threshold loops read memory in order. */
  private readonly flat: RowMajor;

  constructor(
    dataset: Dataset,
    signals: Map<string, PairSignals>,
    readonly chain: readonly number[],
    readonly kinds: readonly (GateKind | undefined)[],
    variant: 'final' | 'honest',
    expected?: Map<string, ExpectedGain>,
  ) {
    const n = dataset.ids.length;
    const tiers = chain.length;
    this.n = n;
    const size = n * tiers;
    // Written item by item here: a search makes one of these for every chain it tries.
    const flat: RowMajor = {
      available: new Uint8Array(size),
      cost: new Float64Array(size),
      score: new Float64Array(size),
      signal: new Float64Array(size).fill(-Infinity),
      gain: new Float64Array(size),
    };
    const available = chain.map((model) => dataset.available[model]!);
    const cost = chain.map((model) => dataset.cost[model]!);
    const score = chain.map((model) => dataset.score[model]!);
    // A tier's gate reads the pair (its model, the last earlier tier that answered): look each possible
    // pair up once, not per item. sources[tier][earlier + 1]: earlier = -1 when no earlier tier answered.
    const sources = chain.map((model, tier) =>
      Array.from({ length: tier + 1 }, (_, slot) => {
        const key = pairKey(model, slot === 0 ? undefined : chain[slot - 1]);
        const kind = kinds[tier];
        const values = kind && signals.get(key)?.signals[kind];
        return { values: values ? values[variant] : undefined, gain: expected?.get(key)?.gain };
      }),
    );
    for (let row = 0, at = 0; row < n; row++) {
      let slot = 0;
      for (let tier = 0; tier < tiers; tier++, at++) {
        flat.available[at] = available[tier]![row]!;
        flat.cost[at] = cost[tier]![row]!;
        flat.score[at] = score[tier]![row]!;
        if (!flat.available[at]) continue;
        const source = sources[tier]![slot]!;
        // A gate with nothing to look at (agreement on the first answer, a missing confidence) fails.
        const value = source.values ? source.values[row]! : -Infinity;
        flat.signal[at] = Number.isNaN(value) ? -Infinity : value;
        if (source.gain) flat.gain[at] = source.gain[row]!;
        slot = tier + 1;
      }
    }
    this.flat = flat;
  }

  /** The signal values a tier's gate sees, for choosing threshold candidates. */
  signalOf(tier: number): Float64Array {
    const tiers = this.chain.length;
    return Float64Array.from({ length: this.n }, (_, row) => this.flat.signal[row * tiers + tier]!);
  }

  /** Sums over items for a set of thresholds (one per tier; the last is ignored). */
  totals(thresholds: readonly number[], reference?: Reference): Totals {
    const tiers = this.chain.length;
    const flat = this.flat;
    const tally = new Tally(flat, tiers, this.chain, reference);
    const sums = new Float64Array(Tally.fields);
    const limits = Float64Array.from(thresholds);
    const walked: Walked = { by: -1, cost: 0 };
    for (let row = 0, base = 0; row < this.n; row++, base += tiers) {
      walkOn(flat, tiers, limits, base, 0, 0, -1, walked);
      tally.add(sums, 0, 1, walked.cost, walked.by, row);
    }
    return Tally.totals(sums, 0);
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
    const flat = this.flat;
    const tally = new Tally(flat, tiers, this.chain, reference);
    const fields = Tally.fields;
    const order = candidates.map((value, position) => ({ value, position })).sort((x, y) => y.value - x.value);
    const descending = Float64Array.from(order, (entry) => entry.value);
    // buckets[k]: rows whose signal clears descending[k] but not descending[k - 1]; the last bucket clears none.
    const buckets = new Float64Array((order.length + 1) * fields);
    const fixed = new Float64Array(fields);
    const walked: Walked = { by: -1, cost: 0 };
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
        walkOn(flat, tiers, thresholds, base, tier + 1, accepted, tier, walked);
        const continued = walked.cost;
        const by = walked.by;
        tally.add(fixed, 0, 1, continued, by, row);
        const signal = flat.signal[index]!;
        // The first candidate the signal clears (candidates descend): a binary search.
        let bucket = 0;
        let past = descending.length;
        while (bucket < past) {
          const middle = (bucket + past) >>> 1;
          if (signal < descending[middle]!) bucket = middle + 1;
          else past = middle;
        }
        const offset = bucket * fields;
        tally.add(buckets, offset, 1, accepted, tier, row);
        tally.add(buckets, offset, -1, continued, by, row);
        continue;
      }
      if (answered < 0) {
        // Skips the tier (or it is the last one): the later tiers decide, as held.
        walkOn(flat, tiers, thresholds, base, tier, cost, last, walked);
        cost = walked.cost;
        answered = walked.by;
      }
      tally.add(fixed, 0, 1, cost, answered, row);
    }
    const out = new Array<Totals>(candidates.length);
    const running = Float64Array.from(fixed);
    order.forEach(({ position }, k) => {
      for (let field = 0; field < fields; field++) running[field]! += buckets[k * fields + field]!;
      out[position] = Tally.totals(running, 0);
    });
    return out;
  }

  /** Full per-item figures for one set of thresholds. */
  figures(thresholds: readonly number[]): ChainFigures {
    const tiers = this.chain.length;
    const flat = this.flat;
    const scores = new Float64Array(this.n);
    const costs = new Float64Array(this.n);
    const answeredBy = new Int32Array(this.n).fill(-1);
    const gateChecks = new Array<number>(tiers).fill(0);
    const gatePasses = new Array<number>(tiers).fill(0);
    for (let row = 0, base = 0; row < this.n; row++, base += tiers) {
      let last = -1;
      for (let tier = 0; tier < tiers; tier++) {
        if (!flat.available[base + tier]) continue;
        costs[row]! += flat.cost[base + tier]!;
        last = tier;
        if (tier === tiers - 1) {
          answeredBy[row] = tier;
          break;
        }
        gateChecks[tier]!++;
        if (flat.signal[base + tier]! >= thresholds[tier]!) {
          gatePasses[tier]!++;
          answeredBy[row] = tier;
          break;
        }
      }
      if (answeredBy[row]! < 0) answeredBy[row] = last;
      scores[row] = answeredBy[row]! < 0 ? 0 : flat.score[base + answeredBy[row]!]!;
    }
    let accuracy = 0;
    let costPerItem = 0;
    for (let row = 0; row < this.n; row++) {
      accuracy += scores[row]!;
      costPerItem += costs[row]!;
    }
    return {
      accuracy: accuracy / this.n,
      costPerItem: costPerItem / this.n,
      scores,
      costs,
      answeredBy,
      gateChecks,
      gatePasses,
    };
  }
}
