import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/middleware/circuit-breaker.js';
import {
  callWithRetries,
  defaultRetryOptions,
  RetriesExhaustedError,
  retryDelayMs,
} from '../../src/middleware/retry-policy.js';
import { ApiStatusError, ConnectionError } from '../../src/errors/index.js';

describe('retry policy', () => {
  it('honours retry-after up to the cap', () => {
    const options = { ...defaultRetryOptions, maxRetryAfterMs: 5000 };
    expect(retryDelayMs(new ApiStatusError('x', { statusCode: 429, retryAfterMs: 1200 }), 0, options)).toBe(1200);
    expect(retryDelayMs(new ApiStatusError('x', { statusCode: 429, retryAfterMs: 60_000 }), 0, options)).toBe(5000);
  });

  it('backs off exponentially with up to 25% jitter, capped', () => {
    const options = { ...defaultRetryOptions, baseDelayMs: 100, maxDelayMs: 1000 };
    for (let attempt = 0; attempt < 6; attempt++) {
      const delay = retryDelayMs(new ApiStatusError('x', { statusCode: 503 }), attempt, options);
      const nominal = Math.min(100 * 2 ** attempt, 1000);
      expect(delay).toBeGreaterThan(nominal * 0.75 - 1e-9);
      expect(delay).toBeLessThanOrEqual(nominal);
    }
  });

  it('retries retryable errors only', async () => {
    let calls = 0;
    const outcome = await callWithRetries(
      async () => {
        calls++;
        if (calls < 3) throw new ConnectionError('reset');
        return 'ok';
      },
      { ...defaultRetryOptions, baseDelayMs: 1 },
    );
    expect(outcome).toEqual({ value: 'ok', retries: 2, possiblyBilledTries: 0 });

    let badRequests = 0;
    const error = await callWithRetries(
      async () => {
        badRequests++;
        throw new ApiStatusError('bad', { statusCode: 400 });
      },
      { ...defaultRetryOptions, baseDelayMs: 1 },
    ).catch((caught) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(badRequests).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, half-opens after the cool-down for one trial, and closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 }, () => now);
    breaker.recordFailure();
    expect(breaker.allowsCall()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.allowsCall()).toBe(false);
    now = 1000;
    expect(breaker.allowsCall()).toBe(true);
    expect(breaker.allowsCall()).toBe(false);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    now = 2000;
    expect(breaker.allowsCall()).toBe(true);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.allowsCall()).toBe(true);
  });
});
