import { costUsd } from '../pricing/price-table.js';
import type { CascadeRequest, ChatMessage } from '../spec/request.js';
import { countMessageTokens, inputTokenSafetyFactor } from '../tokens/count-tokens.js';
import type { Tier } from './tier.js';

const tokenCounts = new WeakMap<readonly ChatMessage[], number>();

function inputTokens(messages: readonly ChatMessage[]): number {
  let count = tokenCounts.get(messages);
  if (count === undefined) {
    count = countMessageTokens(messages);
    tokenCounts.set(messages, count);
  }
  return count;
}

/**
 * The most this tier can spend on the request: the call (its known cost, else input tokens with a
 * tokenizer margin plus the full max-token allowance at the tier's price) plus every gate's maximum.
 */
export function worstCaseCostUsd(request: CascadeRequest, tier: Tier): number {
  const maxTokens = request.params?.maxTokens ?? 0;
  const call =
    tier.provider.knownCostUsd?.(request) ??
    costUsd(tier.pricing, Math.ceil(inputTokens(request.messages) * inputTokenSafetyFactor), maxTokens);
  let gates = 0;
  for (const gate of tier.gates) gates += gate.maxCostUsd?.(request, maxTokens) ?? 0;
  return call + gates;
}
