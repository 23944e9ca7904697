import { describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../../src/middleware/circuit-breaker.js';
import {
  callWithRetries,
  defaultRetryOptions,
  RetriesExhaustedError,
  retryDelayMs,
  type TryAttempt,
} from '../../src/middleware/retry-policy.js';
import { AbortedError, ApiStatusError, ConnectionError, TimeoutError } from '../../src/errors/index.js';
import type { AbortWatch } from '../../src/common/abort-watch.js';

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

  it("makes a try's abort signal only when the call asks, and aborts it at the timeout or the caller's abort", async () => {
    vi.useFakeTimers();
    try {
      const options = { ...defaultRetryOptions, maxRetries: 0, timeoutMs: 1000 };
      // Asked for before the timeout: aborted when it passes, and the try ends as a timeout.
      const seen: AbortSignal[] = [];
      const timedOut = callWithRetries(
        (attempt) =>
          new Promise((_, reject) => {
            const signal = attempt.signal;
            seen.push(signal);
            signal.addEventListener('abort', () => reject(new Error('aborted by signal')));
          }),
        options,
      ).catch((caught) => caught);
      await vi.advanceTimersByTimeAsync(1000);
      const error = await timedOut;
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect((error as RetriesExhaustedError).lastError).toBeInstanceOf(TimeoutError);
      expect(seen[0]!.aborted).toBe(true);

      // A call that never asks still ends at its timeout; one that asks late gets a signal already aborted.
      let late: TryAttempt | undefined;
      const ignored = callWithRetries((attempt) => {
        late = attempt;
        return new Promise(() => undefined);
      }, options).catch((caught) => caught);
      await vi.advanceTimersByTimeAsync(1000);
      expect(((await ignored) as RetriesExhaustedError).lastError).toBeInstanceOf(TimeoutError);
      expect(late!.signal.aborted).toBe(true);

      // The caller's abort reaches the try's signal, and its watchers.
      const caller = new AbortController();
      let inner: AbortSignal | undefined;
      let watched = 0;
      const cancelled = callWithRetries(
        (attempt) => {
          inner = attempt.signal;
          attempt.watch(() => watched++);
          return new Promise(() => undefined);
        },
        options,
        caller.signal,
      ).catch((caught) => caught);
      caller.abort();
      expect(await cancelled).toBeInstanceOf(AbortedError);
      expect(inner!.aborted).toBe(true);
      expect(watched).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives each try an AbortWatch: watchers called once at the timeout, never after, and removable', async () => {
    vi.useFakeTimers();
    try {
      const options = { ...defaultRetryOptions, maxRetries: 0, timeoutMs: 1000 };
      const calls: string[] = [];
      let watch: AbortWatch | undefined;
      const timedOut = callWithRetries((given) => {
        watch = given;
        given.watch(() => calls.push('first'));
        const stop = given.watch(() => calls.push('removed'));
        given.watch(() => calls.push('second'));
        stop();
        return new Promise(() => undefined);
      }, options).catch((caught) => caught);
      expect(watch!.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1000);
      expect(((await timedOut) as RetriesExhaustedError).lastError).toBeInstanceOf(TimeoutError);
      expect(calls).toEqual(['first', 'second']);
      expect(watch!.aborted).toBe(true);
      // Watching after the abort calls nothing, as a listener added to an aborted signal; the try's
      // signal, made late, is aborted too.
      watch!.watch(() => calls.push('late'));
      expect(calls).toEqual(['first', 'second']);
      expect((watch as TryAttempt).signal.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
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
