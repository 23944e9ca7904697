import { dotProduct, type Embedder } from '../spec/embedder.js';
import { clopperPearsonLower, clopperPearsonUpper } from '../statistics/clopper-pearson.js';
import { canonicalQuestion } from './canonical-question.js';
import { defaultGuards, type Guard } from './guards.js';

/** A labelled pair: `same` when one may be answered with the other's answer. */
export interface LabelledPair {
  a: string;
  b: string;
  same: boolean;
}

/** One pair as the cache would judge it: how similar, and whether every guard lets it through. */
export interface ScoredPair {
  similarity: number;
  guardsPass: boolean;
  same: boolean;
  /** Every guard that refuses the pair, not only the first. */
  refusedBy?: readonly string[];
}

export interface ThresholdChoice {
  /** The loosest threshold whose precision bound held, or undefined when none did. */
  threshold: number | undefined;
  /** At that threshold: pairs served, of which right, precision and its bounds, recall. */
  served: number;
  correct: number;
  precision: number;
  precisionLower: number;
  precisionUpper: number;
  recall: number;
  positives: number;
  /** Thresholds tested, strict to loose, before the first failure. */
  tested: number;
}

/** Similarity and guard verdict of every pair, with the cache's embedder and guards on canonical questions. */
export async function scorePairs(
  pairs: readonly LabelledPair[],
  embedder: Embedder,
  guards: Record<string, Guard> = defaultGuards,
): Promise<ScoredPair[]> {
  const scored: ScoredPair[] = [];
  for (let start = 0; start < pairs.length; start += 256) {
    const batch = pairs.slice(start, start + 256);
    // Embedded and guarded alike in canonical form, made once per question.
    const canonical = batch.map((pair) => [canonicalQuestion(pair.a), canonicalQuestion(pair.b)] as const);
    const { vectors } = await embedder.embed(canonical.flat());
    for (const [index, pair] of batch.entries()) {
      const [a, b] = canonical[index]!;
      const refusedBy = Object.keys(guards).filter((name) => guards[name]!(a, b) !== undefined);
      scored.push({
        similarity: dotProduct(vectors[2 * index]!, vectors[2 * index + 1]!),
        guardsPass: refusedBy.length === 0,
        same: pair.same,
        refusedBy,
      });
    }
  }
  return scored;
}

/**
 * The threshold that serves the most true pairs while the precision of what is served stays at or
 * above `precision` with probability 1 - `delta`: thresholds are tested from strict to loose, each with
 * the one-sided Clopper-Pearson lower bound of its precision, stopping at the first that fails (fixed-
 * sequence testing needs no correction for the number tested). The sequence starts at the first
 * threshold that serves enough pairs for a bound to pass at all (even all right, fewer than
 * ln(delta) / ln(precision) cannot): a start chosen from similarities alone, never from labels, so the
 * guarantee stands. A wrong hit serves a wrong answer; a missed one costs only a call, so precision is
 * what is held.
 */
export function chooseThreshold(pairs: readonly ScoredPair[], precision: number, delta = 0.05): ThresholdChoice {
  const positives = pairs.filter((pair) => pair.same).length;
  // Only pairs the guards pass can be served; loosening the threshold serves them in similarity order.
  const servable = pairs.filter((pair) => pair.guardsPass).sort((x, y) => y.similarity - x.similarity);
  let best: ThresholdChoice = {
    threshold: undefined,
    served: 0,
    correct: 0,
    precision: 0,
    precisionLower: 0,
    precisionUpper: 1,
    recall: 0,
    positives,
    tested: 0,
  };
  const fewest = Math.ceil(Math.log(delta) / Math.log(precision));
  let correct = 0;
  let tested = 0;
  for (let index = 0; index < servable.length; index++) {
    if (servable[index]!.same) correct++;
    // Ties share a threshold: test after the last pair of each similarity.
    if (index + 1 < servable.length && servable[index + 1]!.similarity === servable[index]!.similarity) continue;
    const served = index + 1;
    if (served < fewest) continue;
    tested++;
    const lower = clopperPearsonLower(correct, served, delta);
    if (lower < precision) break;
    best = {
      threshold: servable[index]!.similarity,
      served,
      correct,
      precision: correct / served,
      precisionLower: lower,
      precisionUpper: clopperPearsonUpper(correct, served, delta),
      recall: positives === 0 ? 0 : correct / positives,
      positives,
      tested,
    };
  }
  return { ...best, tested };
}

/** Precision and recall of a given threshold on scored pairs (to measure a tuned one on held-out pairs). */
export function measureThreshold(
  pairs: readonly ScoredPair[],
  threshold: number,
): { served: number; correct: number; precision: number; recall: number; positives: number } {
  const positives = pairs.filter((pair) => pair.same).length;
  const served = pairs.filter((pair) => pair.guardsPass && pair.similarity >= threshold);
  const correct = served.filter((pair) => pair.same).length;
  return {
    served: served.length,
    correct,
    precision: served.length === 0 ? 1 : correct / served.length,
    recall: positives === 0 ? 0 : correct / positives,
    positives,
  };
}

/**
 * What each guard alone decides: the pairs it is the only one to refuse, those that may share an answer
 * and those that may not. Dropping the guard would let at most these through, so a guard that alone
 * refuses many true pairs and no false one costs recall for nothing on these pairs. Reported, never
 * acted on: each guard stands for a failure that labelled pairs may not contain.
 */
export function guardCosts(
  pairs: readonly ScoredPair[],
): { guard: string; sameRefused: number; differentRefused: number }[] {
  const costs = new Map<string, { guard: string; sameRefused: number; differentRefused: number }>();
  for (const pair of pairs) {
    if (pair.refusedBy?.length !== 1) continue;
    const guard = pair.refusedBy[0]!;
    const cost = costs.get(guard) ?? { guard, sameRefused: 0, differentRefused: 0 };
    if (pair.same) cost.sameRefused++;
    else cost.differentRefused++;
    costs.set(guard, cost);
  }
  return [...costs.values()].sort((x, y) => y.sameRefused - x.sameRefused || x.guard.localeCompare(y.guard));
}
