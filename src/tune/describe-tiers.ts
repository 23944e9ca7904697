import type { Dataset } from '../evaluation/dataset.js';
import type { Candidate } from './search.js';
import type { ChainFigures } from './simulate-chain.js';

export interface TunedTier {
  model: string;
  gate?: { kind: 'confidence' | 'agreement' | 'learned'; threshold: number } | 'witness';
  /** Share of items this tier answered on the training data. */
  share: number;
  /** Share of its gate's checks that passed. */
  passRate?: number;
}

/** Each tier of a chosen cascade as tune reports it: its gate, the share it answered, its gate's pass rate. */
export function describeTiers(dataset: Dataset, candidate: Candidate, figures: ChainFigures): TunedTier[] {
  const n = dataset.ids.length;
  return candidate.chain.map((model, tier) => {
    const answered = figures.answeredBy.reduce((count, by) => count + (by === tier ? 1 : 0), 0);
    const out: TunedTier = { model: dataset.models[model]!, share: answered / n };
    const kind = candidate.kinds[tier];
    if (!kind && tier < candidate.chain.length - 1) {
      out.gate = 'witness';
      out.passRate = 0;
    } else if (kind) {
      const threshold = candidate.thresholds[tier]!;
      out.gate = threshold === Infinity ? 'witness' : { kind, threshold };
      out.passRate = figures.gateChecks[tier]! > 0 ? figures.gatePasses[tier]! / figures.gateChecks[tier]! : 0;
    }
    return out;
  });
}
