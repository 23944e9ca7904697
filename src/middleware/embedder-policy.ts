import { AbortedError, CircuitOpenError, ProviderError } from '../errors/index.js';
import type { Embedder } from '../spec/embedder.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { callWithRetries, RetriesExhaustedError, type RetryOptions } from './retry-policy.js';

/**
 * An embedder whose calls follow the same policy as model calls: a timeout on each try, retries with
 * backoff on retryable errors, and a circuit breaker, so an embedding server that hangs or is down costs
 * each lookup at most its timeout (the cache then misses and the item is answered by the tiers).
 */
export function embedderWithPolicy(
  embedder: Embedder,
  retry: RetryOptions,
  breaker: CircuitBreaker,
  label = 'the semantic cache embedder',
): Embedder {
  return {
    specificationVersion: 'v1',
    name: embedder.name,
    async embed(texts, options = {}) {
      if (!breaker.allowsCall()) throw new CircuitOpenError(label);
      try {
        const { value } = await callWithRetries((signal) => embedder.embed(texts, { signal }), retry, options.signal);
        breaker.recordSuccess();
        return value;
      } catch (error) {
        const cause = error instanceof RetriesExhaustedError ? error.lastError : error;
        if (!(error instanceof AbortedError) && cause instanceof ProviderError && cause.isRetryable) {
          breaker.recordFailure();
        } else {
          breaker.recordInconclusive();
        }
        throw cause;
      }
    },
  };
}
