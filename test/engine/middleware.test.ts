import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/errors/index.js';
import { CircuitBreaker } from '../../src/middleware/circuit-breaker.js';
import { callPolicy } from '../../src/middleware/call-policy.js';
import { circuitBreakerMiddleware } from '../../src/middleware/breaker-middleware.js';
import { rateLimitMiddleware } from '../../src/middleware/rate-limits.js';
import { defaultRetryOptions } from '../../src/middleware/retry-policy.js';
import { retryMiddleware } from '../../src/middleware/retry-middleware.js';
import type { Completion } from '../../src/spec/completion.js';
import type { Provider, ProviderCallOptions } from '../../src/spec/provider.js';
import { wrapProvider } from '../../src/middleware/wrap-provider.js';
import { loadTokenizer } from '../../src/tokens/count-tokens.js';
import { MockProvider } from '../../src/testing/index.js';

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }], params: { maxTokens: 100 } });
afterEach(() => {
  vi.useRealTimers();
});

describe('middleware on fake timers (no test here waits on the wall clock)', () => {
  it('retries after the backoff, and only after it', async () => {
    vi.useFakeTimers();
    const mock = new MockProvider({ model: 'm', answers: [new ProviderError('503', { isRetryable: true }), 'ok'] });
    const retry = { ...defaultRetryOptions, baseDelayMs: 4000, maxDelayMs: 4000 };
    const provider = wrapProvider(
      mock,
      callPolicy('tier "m"', retry, new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1 })),
    );
    const answer = provider.complete(ask('q'));
    await vi.advanceTimersByTimeAsync(2999); // the jitter takes at most a quarter off 4 s
    expect(mock.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1001);
    expect(mock.calls).toHaveLength(2);
    expect(await answer).toMatchObject({ text: 'ok', retries: 1 });
  });

  it('times a hanging call out after timeoutMs and reports it', async () => {
    vi.useFakeTimers();
    const mock = new MockProvider({ model: 'm', answers: () => new Promise<string>(() => {}) });
    const retry = { ...defaultRetryOptions, maxRetries: 0, timeoutMs: 30_000 };
    const provider = wrapProvider(
      mock,
      callPolicy('tier "m"', retry, new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1 })),
    );
    const outcome = provider.complete(ask('q')).catch((error) => error);
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await outcome).message).toBe('No answer within 30000 ms');
  });

  it('the breaker counts a call that answers with a plain value, or throws before it returns a promise', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    const completion = { text: 'ok' } as Completion;
    // A provider of the user's, not written as an async function.
    const plain: Provider = {
      specificationVersion: 'v1',
      name: 'plain',
      model: 'm',
      complete: ((request: { messages: { content: string }[] }) => {
        if (request.messages[0]!.content === 'throw') throw new ProviderError('down', { isRetryable: true });
        return completion;
      }) as unknown as Provider['complete'],
    };
    const provider = wrapProvider(plain, [circuitBreakerMiddleware(breaker, 'tier "m"')]);
    expect(await provider.complete(ask('q'))).toBe(completion);
    expect(breaker.state).toBe('closed');
    await expect(provider.complete(ask('throw'))).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
  });

  it('holds calls to tokens per minute: the third waits for the bucket to refill', async () => {
    loadTokenizer(); // built before the clock is faked: its cost is not the bucket's business
    vi.useFakeTimers();
    const mock = new MockProvider({ model: 'm', answers: 'ok' });
    // Each call takes its prompt's tokens plus 100 answer tokens: two fit in 250, a third must wait.
    const provider = wrapProvider(mock, [rateLimitMiddleware({ tokensPerMinute: 250 })!]);
    const calls = [provider.complete(ask('q1')), provider.complete(ask('q2')), provider.complete(ask('q3'))];
    await vi.advanceTimersByTimeAsync(0);
    expect(mock.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(mock.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(mock.calls).toHaveLength(3);
    await Promise.all(calls);
  });

  it('holds calls to requests per minute, across the minute', async () => {
    vi.useFakeTimers();
    const mock = new MockProvider({ model: 'm', answers: 'ok' });
    const provider = wrapProvider(mock, [rateLimitMiddleware({ requestsPerMinute: 3 })!]);
    const calls = Array.from({ length: 5 }, (_, index) => provider.complete(ask(`q${index}`)));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(mock.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(mock.calls).toHaveLength(5);
    await Promise.all(calls);
  });
});

describe("the retry middleware's options for each try", () => {
  it("hands each try its own signal as an enumerable property, kept by a spread, with the caller's options", async () => {
    vi.useFakeTimers();
    const seen: ProviderCallOptions[] = [];
    let tries = 0;
    const inner: Provider = {
      specificationVersion: 'v1',
      name: 'p',
      model: 'm',
      async complete(_request, options = {}) {
        seen.push(options);
        tries++;
        // The first try hangs until its timeout aborts it; the second answers.
        if (tries === 1)
          return new Promise<Completion>((_, reject) =>
            options.signal!.addEventListener('abort', () => reject(new ProviderError('cut', { isRetryable: true }))),
          );
        return { text: 'ok', model: 'm', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, latencyMs: 5 };
      },
    };
    const retry = { ...defaultRetryOptions, timeoutMs: 1000, baseDelayMs: 10, maxDelayMs: 10 };
    const provider = wrapProvider(inner, [retryMiddleware(retry)]);
    const beforeRetry = vi.fn(async () => true);
    const deltas: string[] = [];
    const answer = provider.complete(ask('q'), { beforeRetry, onDelta: (text) => deltas.push(text) });
    await vi.advanceTimersByTimeAsync(1100);
    const completion = await answer;
    expect(completion).toMatchObject({ text: 'ok', retries: 1 });
    expect(beforeRetry).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(2);
    const [first, second] = seen as [ProviderCallOptions, ProviderCallOptions];
    expect(first.signal!.aborted).toBe(true);
    expect(second.signal!.aborted).toBe(false);
    expect(second.signal).toBe(second.signal);
    expect(Object.keys(second)).toContain('signal');
    const copied = { ...second };
    expect(copied.signal).toBe(second.signal);
    expect(copied.beforeRetry).toBe(beforeRetry);
    copied.onDelta!('x');
    expect(deltas).toEqual(['x']);
  });
});
