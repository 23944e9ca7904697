import type { Cascade } from '../engine/cascade.js';
import { costUsd } from '../pricing/price-table.js';
import type { CascadeRequest } from '../spec/request.js';
import type { CascadeResult } from '../spec/result.js';
import { countMessageTokens, countTokens } from '../tokens/count-tokens.js';

/**
 * What the item would have cost on the top tier alone: the real cost when the cascade reached it,
 * the recorded cost when replaying, else the top tier's price for this request and answer length.
 */
export function topTierCostUsd(cascade: Cascade, request: CascadeRequest, result: CascadeResult): number {
  const top = cascade.tiers[cascade.tiers.length - 1]!;
  const reached = result.trace.find((entry) => entry.tier === top.name && !entry.skipped && !entry.error);
  if (reached) return reached.costUsd;
  const known = top.provider.knownCostUsd?.(request);
  if (known !== undefined) return known;
  return costUsd(top.pricing, countMessageTokens(request.messages), countTokens(result.text ?? ''));
}
