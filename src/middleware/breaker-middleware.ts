import type { ProviderMiddleware } from '../spec/middleware.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { guardedCall } from './guarded-call.js';

/**
 * The circuit breaker around a whole call (its retries included): an open circuit refuses the call with
 * `CircuitOpenError` before anything is sent (see guarded-call.ts for what counts as a failure).
 */
export function circuitBreakerMiddleware(breaker: CircuitBreaker, label: string): ProviderMiddleware {
  return {
    name: 'circuit-breaker',
    wrapComplete: (next, request, options) => guardedCall(breaker, label, () => next(request, options)),
  };
}
