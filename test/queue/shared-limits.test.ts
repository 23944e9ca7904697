import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/queue/redis-connection.js';
import { sharedLimiter } from '../../src/queue/shared-limits.js';
import { callMemo } from '../../src/queue/call-memo.js';
import { wrapProvider } from '../../src/middleware/wrap-provider.js';
import { RateLimitError } from '../../src/errors/index.js';
import { MockProvider } from '../../src/testing/index.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe.skipIf(!hasRedisServer)('limits and memo shared in Redis', () => {
  let server: TestRedis;
  let redis: Redis;
  let other: Redis;
  beforeAll(async () => {
    server = await startTestRedis();
    redis = await connectRedis(server.url);
    // A second worker: its own connection, its own limiter, the same keys.
    other = await connectRedis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    other?.disconnect();
    await server?.stop();
  });

  it("holds a tier's maxConcurrent across workers", async () => {
    let inFlight = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const provider = new MockProvider({
      model: 'm',
      answers: () =>
        new Promise<string>((resolve) => {
          inFlight++;
          most = Math.max(most, inFlight);
          releases.push(() => {
            inFlight--;
            resolve('ok');
          });
        }),
    });
    const workers = [redis, other].map((connection) =>
      wrapProvider(provider, [
        sharedLimiter(connection, { scope: 'concurrency' })('tier "small"', { maxConcurrent: 2 }),
      ]),
    );
    const calls = Array.from({ length: 6 }, (_, index) => workers[index % 2]!.complete(ask(`q${index}`)));
    // Release one call at a time, each once both slots are taken (a slot is taken after a Redis round
    // trip, however long that takes on this machine), until all six are done.
    let released = 0;
    while (released < 6) {
      while (releases.length < Math.min(2, 6 - released)) await new Promise((resolve) => setImmediate(resolve));
      expect(inFlight).toBeLessThanOrEqual(2);
      releases.shift()!();
      released++;
    }
    await Promise.all(calls);
    expect(provider.calls).toHaveLength(6);
    expect(most).toBe(2);
  });

  it("holds a tier's requestsPerMinute across workers: the call past it waits", async () => {
    const provider = new MockProvider({ model: 'm', answers: 'ok' });
    const workers = [redis, other].map((connection) =>
      wrapProvider(provider, [
        sharedLimiter(connection, { scope: 'per-minute' })('tier "small"', { requestsPerMinute: 3 }),
      ]),
    );
    await Promise.all([0, 1, 2].map((index) => workers[index % 2]!.complete(ask(`q${index}`))));
    expect(provider.calls).toHaveLength(3);
    // The fourth start in the minute, on either worker, waits for the window: it is cancelled while waiting.
    const controller = new AbortController();
    const fourth = workers[1]!.complete(ask('q3'), { signal: controller.signal });
    const starts = await redis.zcard('fc:{limits:per-minute:tier "small"}:starts');
    controller.abort();
    await expect(fourth).rejects.toThrow();
    expect(starts).toBe(3);
    expect(provider.calls).toHaveLength(3);
  });

  it("pauses a tier for every worker after one worker's 429 with retry-after", async () => {
    const started: number[] = [];
    const limited = new MockProvider({
      model: 'm',
      answers: [new RateLimitError('slow down', { statusCode: 429, retryAfterMs: 400 }), 'ok'],
    });
    const elsewhere = new MockProvider({
      model: 'm',
      answers: () => {
        started.push(Date.now());
        return 'ok';
      },
    });
    const first = wrapProvider(limited, [sharedLimiter(redis, { scope: 'pause' })('tier "small"', {})]);
    const second = wrapProvider(elsewhere, [sharedLimiter(other, { scope: 'pause' })('tier "small"', {})]);
    const failedAt = Date.now();
    await expect(first.complete(ask('a'))).rejects.toThrow('slow down');
    await second.complete(ask('b'));
    const pausedUntil = Number(await redis.hget('fc:{limits:pause:tier "small"}:state', 'pausedUntil'));
    expect(pausedUntil).toBeGreaterThanOrEqual(failedAt + 400 - 50);
    // The other worker's call waited for the pause (Redis's clock and this one are the same machine's).
    expect(started[0]).toBeGreaterThanOrEqual(pausedUntil - 20);
  });

  it('answers a call already paid for from the memo, on another worker, without calling again', async () => {
    const provider = new MockProvider({ model: 'm', answers: { text: 'paid once', costUsd: 0.01 } });
    const firstMemo = callMemo(redis, 'run-1', 'id:"7"', false);
    const firstRun = wrapProvider(provider, firstMemo.middleware('small'));
    const paid = await firstRun.complete(ask('the same question'));
    await firstMemo.flush();
    // The job runs again on another worker after the first died.
    const rerun = wrapProvider(provider, callMemo(other, 'run-1', 'id:"7"', true).middleware('small'));
    const again = await rerun.complete(ask('the same question'));
    expect(provider.calls).toHaveLength(1);
    expect(again).toMatchObject({ text: 'paid once', costUsd: 0.01, memoised: true });
    expect(paid.memoised).toBeUndefined();
    // Another item, or another tier, is another call.
    const memos = [
      callMemo(other, 'run-1', 'id:"8"', true),
      callMemo(other, 'run-1', 'id:"7"', true),
      callMemo(other, 'run-1', 'id:"7"', false),
    ];
    await wrapProvider(provider, memos[0]!.middleware('small')).complete(ask('the same question'));
    await wrapProvider(provider, memos[1]!.middleware('large')).complete(ask('the same question'));
    expect(provider.calls).toHaveLength(3);
    // A first run does not read the memo: it has nothing there to find.
    await wrapProvider(provider, memos[2]!.middleware('small')).complete(ask('the same question'));
    expect(provider.calls).toHaveLength(4);
    // Their writes land before the connections close.
    await Promise.all(memos.map((memo) => memo.flush()));
  });
});
