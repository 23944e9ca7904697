import type { Cascade } from '../engine/cascade.js';
import { costUsd } from '../pricing/price-table.js';
import type { CascadeRequest } from '../spec/request.js';
import type { CascadeResult } from '../spec/result.js';
import { countMessageTokens, countTokens } from '../tokens/count-tokens.js';

/**
 * Whether the cascade answered the item (accepted, or exhausted with an answer): only those count toward
 * "answered by" and the top-tier comparison. A budget stop's best draft so far is not an answer, and an
 * item with none would make the run look free.
 */
export function isAnswered(result: CascadeResult): boolean {
  return Boolean(result.tier) && (result.stop === 'accepted' || result.stop === 'exhausted');
}

/**
 * What the item would have cost on the top tier alone: the real cost when the cascade reached it,
 * the recorded cost when replaying, else the top tier's price for this request and answer length.
 * Nothing for an item the cascade did not answer, which the comparison leaves out: pricing it could
 * build the tokenizer (about a second and 150 MiB) for a replay whose every other figure was recorded.
 */
export function topTierCostUsd(cascade: Cascade, request: CascadeRequest, result: CascadeResult): number {
  if (!isAnswered(result)) return 0;
  const top = cascade.tiers[cascade.tiers.length - 1]!;
  const reached = result.trace.find((entry) => entry.tier === top.name && !entry.skipped && !entry.error);
  if (reached) return reached.costUsd;
  const known = top.provider.knownCostUsd?.(request);
  if (known !== undefined) return known;
  return costUsd(top.pricing, countMessageTokens(request.messages), countTokens(result.text ?? ''));
}
