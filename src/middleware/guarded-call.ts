import { AbortedError, CircuitOpenError, ProviderError } from '../errors/index.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { RetriesExhaustedError } from './retry-policy.js';

/**
 * `call` behind `breaker`: refused with `CircuitOpenError` while the circuit is open; afterwards only
 * outage-like failures (retryable ones, retries spent) count against the provider, while a 400, a replay
 * miss or a cancelled call says nothing about the next call and gives a half-open trial slot back.
 * Model calls (breaker-middleware.ts) and embedding calls (embedder-policy.ts) share it.
 */
export function guardedCall<T>(breaker: CircuitBreaker, label: string, call: () => Promise<T>): Promise<T> {
  if (!breaker.allowsCall()) return Promise.reject(new CircuitOpenError(label));
  let pending: Promise<T>;
  try {
    // A provider of the user's may answer with a plain value.
    pending = Promise.resolve(call());
  } catch (error) {
    return Promise.reject(failed(breaker, error));
  }
  // Not an async function: its suspended frame would wait with each call in flight.
  return pending.then(
    (value) => {
      breaker.recordSuccess();
      return value;
    },
    (error: unknown) => {
      throw failed(breaker, error);
    },
  );
}

/** Count `error` against the breaker as what it says of the provider; returns it. */
function failed(breaker: CircuitBreaker, error: unknown): unknown {
  const cause = error instanceof RetriesExhaustedError ? error.lastError : error;
  if (!(error instanceof AbortedError) && cause instanceof ProviderError && cause.isRetryable) breaker.recordFailure();
  else breaker.recordInconclusive();
  return error;
}
