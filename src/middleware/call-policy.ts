import type { ProviderMiddleware } from '../spec/middleware.js';
import { circuitBreakerMiddleware } from './breaker-middleware.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { retryMiddleware } from './retry-middleware.js';
import type { RetryOptions } from './retry-policy.js';

/**
 * The stack every model call goes through, a tier's or a judge's: the circuit breaker outermost (an open
 * circuit costs nothing), then the retry policy with a timeout on each try.
 */
export function callPolicy(label: string, retry: RetryOptions, breaker: CircuitBreaker): ProviderMiddleware[] {
  return [circuitBreakerMiddleware(breaker, label), retryMiddleware(retry)];
}
