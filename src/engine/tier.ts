import type { CompressStep } from '../spec/compress-step.js';
import type { Pricing } from '../pricing/price-table.js';
import type { Gate } from '../spec/gate.js';
import type { Provider } from '../spec/provider.js';
import type { RequestParams } from '../spec/request.js';
import type { CircuitBreaker } from '../middleware/circuit-breaker.js';
import type { RetryOptions } from '../middleware/retry-policy.js';

/** A tier ready to run: its provider, its gates (cheapest first), and its call policy. */
export interface Tier {
  name: string;
  provider: Provider;
  gates: Gate[];
  /** The tier's parameters; the request's own win. */
  params: RequestParams;
  /** Price used for the budget's worst-case estimate; undefined means free. */
  pricing: Pricing | undefined;
  /** Where `pricing` came from, in words (the tier's own, the maintained database, the built-in table). */
  priceSource?: string;
  retry: RetryOptions;
  breaker: CircuitBreaker;
  /** Never accept this tier's answer on its own; it is a second opinion for the next tier's agreement gate. */
  witness?: boolean;
  /** Compression steps applied to the messages before this tier's call. */
  compress?: readonly CompressStep[];
}

export type OnExhausted = 'accept-last' | 'best-score' | 'fail';
