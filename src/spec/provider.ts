import type { Completion } from './completion.js';
import type { CascadeRequest } from './request.js';

export interface ProviderCallOptions {
  /** Aborts the call: the caller's cancellation combined with the tier's timeout. */
  signal?: AbortSignal;
  /**
   * Asked by the retry policy before each retry, with the error of the try that failed: false stops
   * retrying. The engine uses it to reserve from the budget for a try that may have been billed.
   */
  beforeRetry?: (error: unknown) => Promise<boolean>;
  /**
   * Sent as the `Idempotency-Key` header by providers whose API takes one: the same key on a call made
   * again (a retry, or a queue job run again after its worker died) lets an API that honours it answer
   * from its record instead of generating, and billing, a second time.
   */
  idempotencyKey?: string;
  /**
   * Asks for the answer as it is generated: a provider that can stream calls it with each piece of text
   * (the completion still resolves with the whole answer); one that cannot ignores it. Set by the engine
   * only for a tier whose answer is final as it comes (no gates), for `cascade serve`'s streams.
   */
  onDelta?: (text: string) => void;
}

/**
 * A model behind some API. One call, no retries: the engine owns the retry policy.
 * Implementations throw the errors of `src/errors.ts` so the engine can tell retryable failures apart.
 */
export interface Provider {
  readonly specificationVersion: 'v1';
  /** Provider kind, e.g. `openai`. */
  readonly name: string;
  readonly model: string;
  complete(request: CascadeRequest, options?: ProviderCallOptions): Promise<Completion>;
  /**
   * The exact cost of answering this request, when the provider knows it ahead of the call
   * (a recording does). The budget check uses it instead of a token-count estimate.
   */
  knownCostUsd?(request: CascadeRequest): number | undefined;
  /**
   * Answers from memory, without I/O (a recording): it cannot hang or have an outage, so a cascade's tier
   * calls it as it is, without the circuit breaker and the retry policy (no timer, no abort controller,
   * one try).
   */
  readonly answersFromMemory?: boolean;
}
