import { costUsd } from '../pricing/price-table.js';
import type { CascadeRequest, ChatMessage } from '../spec/request.js';
import { countMessageTokens, inputTokenSafetyFactor, messageOverheadTokens } from '../tokens/count-tokens.js';
import type { Tier } from './tier.js';

const tokenCounts = new WeakMap<readonly ChatMessage[], number>();

function countedInputTokens(messages: readonly ChatMessage[]): number {
  let count = tokenCounts.get(messages);
  if (count === undefined) {
    count = Math.ceil(countMessageTokens(messages) * inputTokenSafetyFactor);
    tokenCounts.set(messages, count);
  }
  return count;
}

/**
 * A ceiling that needs no tokenizer: no byte-level BPE token (o200k, Llama's, Claude's) covers less
 * than one byte, so the UTF-8 length bounds the token count for any of them.
 */
export function byteBoundInputTokens(messages: readonly ChatMessage[]): number {
  let bytes = 0;
  for (const message of messages) bytes += Buffer.byteLength(message.content, 'utf8');
  return bytes + messageOverheadTokens(messages.length);
}

/**
 * The most this tier can spend on the request: the call (its known cost, else input tokens plus the
 * full max-token allowance at the tier's price) plus every gate's maximum. The cheap byte ceiling is tried first; the tokenizer
 * runs only when that ceiling would not fit in `remainingUsd`.
 */
export function worstCaseCostUsd(request: CascadeRequest, tier: Tier, remainingUsd: number): number {
  const maxTokens = request.params?.maxTokens ?? 0;
  let gates = 0;
  for (const gate of tier.gates) gates += gate.maxCostUsd?.(request, maxTokens) ?? 0;
  const known = tier.provider.knownCostUsd?.(request);
  if (known !== undefined) return known + gates;
  const ceiling = costUsd(tier.pricing, byteBoundInputTokens(request.messages), maxTokens) + gates;
  if (ceiling <= remainingUsd) return ceiling;
  return costUsd(tier.pricing, countedInputTokens(request.messages), maxTokens) + gates;
}

/** What one try of the call can cost at most, without its gates (for charging a try that may have been billed). */
export function worstCaseCallUsd(request: CascadeRequest, tier: Tier): number {
  const known = tier.provider.knownCostUsd?.(request);
  if (known !== undefined) return known;
  return costUsd(tier.pricing, countedInputTokens(request.messages), request.params?.maxTokens ?? 0);
}
