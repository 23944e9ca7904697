import type { CascadeRequest, ChatMessage } from '../spec/request.js';
import type { Tier } from './tier.js';
import { copyWith } from '../common/copy-with.js';

/**
 * The request as this tier sends it: its compressed messages, tier parameters under the request's own, a max-token bound when
 * a budget needs one, then each gate's adjustments (a confidence instruction, a schema, logprobs).
 */
export function prepareRequest(
  request: CascadeRequest,
  tier: Tier,
  fallbackMaxTokens: number | undefined,
  compressedMessages?: ChatMessage[],
): CascadeRequest {
  // The source stays the uncompressed input: recordings and caches know an item by it.
  let prepared: CascadeRequest = copyWith(request, {
    messages: compressedMessages ?? request.messages,
    params: copyWith(tier.params ?? {}, request.params ?? {}),
    sourceMessages: request.messages,
  });
  if (fallbackMaxTokens !== undefined && prepared.params!.maxTokens === undefined) {
    // The worst-case estimate needs a bound the provider enforces.
    prepared.params!.maxTokens = fallbackMaxTokens;
  }
  for (const gate of tier.gates) {
    if (gate.prepareRequest) prepared = gate.prepareRequest(prepared);
  }
  return prepared;
}
