import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/queue/redis-connection.js';
import { RedisRunBudget, readBudget, setBudgetLimit } from '../../src/queue/redis-budget.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../helpers/redis-server.js';

describe.skipIf(!hasRedisServer)('the Redis run budget shared by workers', () => {
  let server: TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startTestRedis();
    redis = await connectRedis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('never lets two workers reserve past the limit, however their calls interleave', async () => {
    await setBudgetLimit(redis, 'interleave', 1);
    const workers = [
      new RedisRunBudget(redis, 'interleave', { workerId: 'a' }),
      new RedisRunBudget(redis, 'interleave', { workerId: 'b' }),
    ];
    // 40 reservations of $0.1 at once from two workers: exactly 10 fit.
    const granted = await Promise.all(Array.from({ length: 40 }, (_, index) => workers[index % 2]!.reserve(0.1)));
    expect(granted.filter(Boolean)).toHaveLength(10);
    const before = await readBudget(redis, 'interleave');
    expect(before?.reservedUsd).toBeCloseTo(1, 9);
    // Each call cost a quarter of its worst case: settling frees room for more.
    for (const worker of workers) for (let index = 0; index < 5; index++) worker.settle(0.1, 0.025);
    for (const worker of workers) await worker.flush();
    const after = await readBudget(redis, 'interleave');
    expect(after?.spentUsd).toBeCloseTo(0.25, 9);
    expect(after?.reservedUsd).toBeCloseTo(0, 9);
    expect(await workers[0]!.reserve(0.75)).toBe(true);
    expect(await workers[1]!.reserve(0.01)).toBe(false);
    for (const worker of workers) worker.close();
  });

  it('makes a reservation wait for another worker to settle, and refuses one that can never fit', async () => {
    await setBudgetLimit(redis, 'waiting', 1);
    const a = new RedisRunBudget(redis, 'waiting', { workerId: 'a' });
    const b = new RedisRunBudget(redis, 'waiting', { workerId: 'b' });
    expect(await a.reserve(0.9)).toBe(true);
    const waiting = b.reserveWhenPossible(0.5);
    a.settle(0.9, 0.2);
    await expect(waiting).resolves.toBe(true);
    // $0.2 spent, $0.5 held by b: $0.9 can never fit, even once b settles.
    await expect(a.reserveWhenPossible(0.9)).resolves.toBe(false);
    a.close();
    b.close();
  });

  it('counts what a dead worker held as spent once its lease runs out, so waiting ends', async () => {
    await setBudgetLimit(redis, 'dead-worker', 1);
    const dying = new RedisRunBudget(redis, 'dead-worker', { workerId: 'dying', leaseMs: 300 });
    expect(await dying.reserve(0.6)).toBe(true);
    // The worker dies: it never settles and stops renewing.
    dying.close();
    const survivor = new RedisRunBudget(redis, 'dead-worker', { workerId: 'survivor' });
    // Its $0.6 may have been billed, so it stays counted: $0.5 more can never fit, $0.4 can.
    await expect(survivor.reserveWhenPossible(0.5)).resolves.toBe(false);
    const budget = await readBudget(redis, 'dead-worker');
    expect(budget?.spentUsd).toBeCloseTo(0.6, 9);
    expect(budget?.reservedUsd).toBeCloseTo(0, 9);
    expect(await survivor.reserve(0.4)).toBe(true);
    survivor.close();
  });

  it('keeps counting through a Redis restart (scripts are sent again)', async () => {
    const durable = await startTestRedis({ aof: true });
    const client = await connectRedis(durable.url);
    try {
      await setBudgetLimit(client, 'restart', 1);
      const budget = new RedisRunBudget(client, 'restart', { workerId: 'a' });
      expect(await budget.reserve(0.3)).toBe(true);
      await durable.restart();
      budget.settle(0.3, 0.1);
      await budget.flush();
      expect((await readBudget(client, 'restart'))?.spentUsd).toBeCloseTo(0.1, 9);
      budget.close();
    } finally {
      client.disconnect();
      await durable.stop();
    }
  });
});
