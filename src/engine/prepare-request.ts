import type { CascadeRequest } from '../spec/request.js';
import type { Tier } from './tier.js';

/**
 * The request as this tier sends it: tier parameters under the request's own, a max-token bound when
 * a budget needs one, then each gate's adjustments (a confidence instruction, a schema, logprobs).
 */
export function prepareRequest(request: CascadeRequest, tier: Tier, fallbackMaxTokens: number | undefined): CascadeRequest {
  let prepared: CascadeRequest = { ...request, params: { ...tier.params, ...request.params }, sourceMessages: request.messages };
  if (fallbackMaxTokens !== undefined && prepared.params!.maxTokens === undefined) {
    // The worst-case estimate needs a bound the provider enforces.
    prepared.params!.maxTokens = fallbackMaxTokens;
  }
  for (const gate of tier.gates) {
    if (gate.prepareRequest) prepared = gate.prepareRequest(prepared);
  }
  return prepared;
}
