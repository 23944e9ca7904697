import type { Dataset } from '../evaluation/dataset.js';
import { objectiveValue, type Objective, type Totals } from './objective.js';
import { pairKey, type GateKind, type PairSignals } from './signals.js';
import { ChainSimulator, type Reference } from './simulate-chain.js';
import type { ExpectedGain } from './expected-gain.js';

export interface Candidate {
  chain: number[];
  kinds: (GateKind | undefined)[];
  thresholds: number[];
  value: number;
}

export interface SearchOptions {
  objective: Objective;
  maxTiers: number;
  /** `honest`: learned-gate thresholds chosen on out-of-fold predictions; `final`: in-sample (the plain grid search). */
  variant: 'final' | 'honest';
  /** Threshold candidates per gate: quantiles of its signal. @default 40 */
  quantiles?: number;
  reference: Reference;
  referenceCost: number;
  /** Fitted gains over the reference, for objectives that judge by them. */
  expected?: Map<string, ExpectedGain>;
  /** Keep every evaluated point for the cost-accuracy frontier (the report). @default false */
  keepExplored?: boolean;
  /** Gate kinds a tier may get (the most discriminating of them, by out-of-fold AUC). @default all */
  kinds?: readonly GateKind[];
}

export interface SearchResult {
  best: Candidate;
  /** With `keepExplored`: every configuration the search evaluated (feasible or not), for the cost-accuracy frontier. */
  explored: ExploredPoint[];
  evaluations: number;
}

export interface ExploredPoint {
  chain: number[];
  accuracy: number;
  costPerItem: number;
}

/** Ordered subsets of `order` (cheap to expensive) with 1 to `maxTiers` members. */
export function enumerateChains(order: readonly number[], maxTiers: number): number[][] {
  const chains: number[][] = [];
  const extend = (start: number, chain: number[]) => {
    if (chain.length > 0) chains.push(chain);
    if (chain.length === maxTiers) return;
    for (let index = start; index < order.length; index++) extend(index + 1, [...chain, order[index]!]);
  };
  extend(0, []);
  return chains;
}

function thresholdCandidates(signal: Float64Array, kind: GateKind, quantiles: number): number[] {
  if (kind === 'agreement') return [0.5, Infinity];
  const finite = Array.from(signal)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const values = new Set<number>([Infinity]);
  for (let step = 0; step <= quantiles; step++) {
    const value = finite[Math.min(finite.length - 1, Math.floor((step / quantiles) * finite.length))];
    if (value !== undefined) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** The pair's own pick, or the most discriminating of the allowed kinds (undefined when none applies). */
export function gateKindFor(pair: PairSignals | undefined, allowed?: readonly GateKind[]): GateKind | undefined {
  if (!pair) return undefined;
  if (!allowed || allowed.includes(pair.kind)) return pair.kind;
  let chosen: GateKind | undefined;
  for (const kind of allowed) {
    const auc = pair.auc[kind];
    if (auc !== undefined && (chosen === undefined || auc > pair.auc[chosen]!)) chosen = kind;
  }
  return chosen;
}

/**
 * For every chain, coordinate descent over its gates' thresholds (start by accepting nothing below the
 * top, then lower one threshold at a time while the objective improves); keep the best chain.
 */
export function searchCascades(
  dataset: Dataset,
  signals: Map<string, PairSignals>,
  order: readonly number[],
  options: SearchOptions,
): SearchResult {
  const n = dataset.ids.length;
  const chains: Candidate[] = [];
  const explored: ExploredPoint[] = [];
  let evaluations = 0;
  // Quantiles of a gate's signal depend on the tier's model, the one before it and the gate, not on the rest of the chain.
  const candidateCache = new Map<string, number[]>();
  for (const chain of enumerateChains(order, options.maxTiers)) {
    // A tier with no gate to offer can still be a witness: asked so that the next tier's agreement gate has a second opinion.
    const kinds = chain.map((model, tier) =>
      tier === chain.length - 1
        ? undefined
        : gateKindFor(signals.get(pairKey(model, tier === 0 ? undefined : chain[tier - 1])), options.kinds),
    );
    const simulator = new ChainSimulator(dataset, signals, chain, kinds, options.variant, options.expected);
    const candidates = chain.map((model, tier) => {
      const kind = kinds[tier];
      if (!kind) return [Infinity];
      const key = `${model}|${tier === 0 ? -1 : chain[tier - 1]}|${kind}`;
      let values = candidateCache.get(key);
      if (!values) {
        values = thresholdCandidates(simulator.signalOf(tier), kind, options.quantiles ?? 40);
        candidateCache.set(key, values);
      }
      return values;
    });
    const thresholds = chain.map(() => Infinity);
    const judge = (totals: Totals) => {
      evaluations++;
      if (options.keepExplored) explored.push({ chain, accuracy: totals.score / n, costPerItem: totals.cost / n });
      return objectiveValue(options.objective, totals, n, options.referenceCost);
    };
    let current = judge(simulator.totals(thresholds, options.reference));
    // A tier's sweep with every threshold as at its last sweep would find what it found then: skipped.
    let version = 0;
    const sweptAt = chain.map(() => -1);
    for (let sweep = 0; sweep < 4; sweep++) {
      let improved = false;
      for (let tier = 0; tier < chain.length - 1; tier++) {
        if (sweptAt[tier] === version) continue;
        const kept = thresholds[tier]!;
        const tried = candidates[tier]!.filter((candidate) => candidate !== kept);
        const all = simulator.sweep(thresholds, tier, tried, options.reference);
        let bestThreshold = kept;
        tried.forEach((candidate, index) => {
          const value = judge(all[index]!);
          if (value !== undefined && (current === undefined || value < current - 1e-15)) {
            current = value;
            bestThreshold = candidate;
            improved = true;
          }
        });
        if (bestThreshold !== kept) version++;
        thresholds[tier] = bestThreshold;
        sweptAt[tier] = version;
      }
      if (!improved) break;
    }
    if (current === undefined) continue;
    chains.push({ chain, kinds, thresholds: [...thresholds], value: current });
  }
  if (chains.length === 0)
    throw new Error('no cascade meets the objective on this fixture; relax the target or the cost limit');
  let best = chains[0]!;
  for (const candidate of chains) {
    if (
      candidate.value < best.value - 1e-15 ||
      (Math.abs(candidate.value - best.value) <= 1e-15 && candidate.chain.length < best.chain.length)
    )
      best = candidate;
  }
  return { best, explored, evaluations };
}
