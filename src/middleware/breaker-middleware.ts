import { AbortedError, CircuitOpenError, ProviderError } from '../errors/index.js';
import type { ProviderMiddleware } from '../spec/middleware.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { RetriesExhaustedError } from './retry-policy.js';

/**
 * The circuit breaker around a whole call (its retries included): an open circuit refuses the call with
 * `CircuitOpenError` before anything is sent. Only outage-like failures (retryable ones, with retries
 * spent) count against the provider; a 400, a replay miss or a cancelled call says nothing about the next
 * call, and gives a half-open trial slot back.
 */
export function circuitBreakerMiddleware(breaker: CircuitBreaker, label: string): ProviderMiddleware {
  return {
    name: 'circuit-breaker',
    async wrapComplete(next, request, options) {
      if (!breaker.allowsCall()) throw new CircuitOpenError(label);
      try {
        const completion = await next(request, options);
        breaker.recordSuccess();
        return completion;
      } catch (error) {
        const cause = error instanceof RetriesExhaustedError ? error.lastError : error;
        if (!(error instanceof AbortedError) && cause instanceof ProviderError && cause.isRetryable) {
          breaker.recordFailure();
        } else {
          breaker.recordInconclusive();
        }
        throw error;
      }
    },
  };
}
