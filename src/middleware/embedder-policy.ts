import type { Embedder } from '../spec/embedder.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { guardedCall } from './guarded-call.js';
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
      try {
        return await guardedCall(breaker, label, async () => {
          const { value } = await callWithRetries(
            (attempt) => embedder.embed(texts, { signal: attempt.signal }),
            retry,
            options.signal,
          );
          return value;
        });
      } catch (error) {
        // The embedder's own error, not the retry wrapper: the cache reports it as the reason for its miss.
        throw error instanceof RetriesExhaustedError ? error.lastError : error;
      }
    },
  };
}
