import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import type { Cascade } from '../engine/cascade.js';
import type { Limiter } from '../config/create-provider.js';
import { failureRecord, resultRecord } from '../batch/result-record.js';
import { topTierCostUsd } from '../batch/top-tier-cost.js';
import { cascadeFingerprint } from './cascade-fingerprint.js';
import { callMemo } from './call-memo.js';
import type { ItemJob, ItemOutcome } from './job-data.js';
import { connectRedis, redactedRedisUrl } from './redis-connection.js';
import { RedisRunBudget } from './redis-budget.js';
import { queueNameOf, runKeys } from './run-keys.js';
import { RunRecordCache } from './run-record.js';
import { sharedLimiter } from './shared-limits.js';

export interface WorkerOptions {
  cascadeFile: string;
  redisUrl: string;
  /** Jobs in flight at once in this process. @default 8 */
  concurrency?: number;
  /** Builds the cascade with the limiter that shares its tiers' rate limits in Redis. */
  loadCascade: (limiter: Limiter) => Promise<Cascade>;
  log: (text: string) => void;
  /**
   * How long a job stays this worker's without a renewal: a worker killed mid-job gives its jobs back
   * after this (BullMQ's lockDuration; the stall check runs at half of it). @default 30000
   */
  lockMs?: number;
  /** Fired once to stop taking jobs (those in flight finish), twice to give them back at once. */
  stopSignal?: { onStop(handler: (count: number) => void): void };
}

export interface WorkerOutcome {
  processed: number;
  /** Tier calls answered from the run's memo: paid by an earlier run of the same job. */
  memoHits: number;
  queue: string;
}

/**
 * `cascade worker`: take the jobs of every run of this cascade from its BullMQ queue and run them.
 * Each finished item goes to its run's results stream before its job completes; its tier calls are
 * memoised first, so a job that runs again after this worker died pays for none of them twice.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerOutcome> {
  const fingerprint = await cascadeFingerprint(options.cascadeFile);
  const onNotice = (message: string) => options.log(`${message}\n`);
  // Our commands (memo, budget, limits, results) pipeline themselves; BullMQ gets a plain connection of its own.
  const redis = await connectRedis(options.redisUrl, { onNotice, autoPipelining: true });
  const bullConnection = await connectRedis(options.redisUrl, { onNotice });
  const workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const lockDuration = options.lockMs ?? 30_000;
  let cascade: Cascade | undefined;
  const budgets = new Map<string, RedisRunBudget>();
  try {
    // Limits are shared by the workers of one cascade file (the queue is named after its fingerprint too).
    cascade = await options.loadCascade(sharedLimiter(redis, { scope: fingerprint.slice(0, 12) }));
    const queueName = queueNameOf(cascade.name, fingerprint);
    const runs = new RunRecordCache(redis);
    let processed = 0;
    let memoHits = 0;
    const loaded = cascade;

    const budgetOf = (runId: string) => {
      let budget = budgets.get(runId);
      if (!budget) {
        budget = new RedisRunBudget(redis, runId, {
          workerId,
          leaseMs: Math.max(10_000, 2 * lockDuration),
        });
        budgets.set(runId, budget);
      }
      return budget;
    };

    const process = async (job: Job<ItemJob>, token?: string): Promise<void> => {
      const data = job.data;
      let run = await runs.get(data.runId);
      // A run started afresh under the same id a moment ago: read it again rather than trust the cache.
      if (run && run.createdAt !== data.generation) run = await runs.get(data.runId, true);
      // A run deleted (or started afresh) under this id: its jobs are dropped.
      if (!run || run.status === 'cancelled' || run.status === 'finished' || run.createdAt !== data.generation) return;
      if (run.status === 'paused') {
        const { DelayedError } = await import('bullmq');
        await job.moveToDelayed(Date.now() + 1000, token);
        throw new DelayedError();
      }
      const budget = run.budgetUsd === undefined ? undefined : budgetOf(data.runId);
      let record: Record<string, unknown> | undefined;
      let topTierUsd = 0;
      let failure: string | undefined;
      const mayHaveRun =
        data.mayHaveRun === true || job.attemptsStarted > 1 || job.attemptsMade > 0 || job.stalledCounter > 0;
      const memo = callMemo(redis, data.runId, data.itemKey, mayHaveRun);
      try {
        const result = await loaded.run(data.request, {
          wrapCall: memo.middleware,
          ...(budget && { runBudget: budget }),
          ...(run.deadlineMs !== undefined && { deadlineMs: run.deadlineMs }),
        });
        memoHits += result.trace.filter((entry) => entry.memoised).length;
        topTierUsd = topTierCostUsd(loaded, data.request, result);
        record = resultRecord(data, result, data.inputHash);
      } catch (error) {
        record = failureRecord(data, error, data.inputHash);
        failure = error instanceof Error ? error.name : 'unknown';
      }
      // The memo and the spending are in Redis before the result is visible, and all before the job completes.
      await memo.flush();
      await budget?.flush();
      if (!record) return;
      const outcome: ItemOutcome & { topTierUsd: number; failure?: string } = {
        itemKey: data.itemKey,
        generation: data.generation,
        rawId: data.rawId,
        record,
        topTierUsd,
        ...(failure && { failure }),
      };
      const keys = runKeys(data.runId);
      await redis.xadd(keys.results, '*', 'outcome', JSON.stringify(outcome));
      processed++;
    };

    const { Worker } = await import('bullmq');
    const worker = new Worker<ItemJob>(queueName, process, {
      connection: bullConnection,
      concurrency: options.concurrency ?? 8,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      // A job given back by a dead worker is run again (its paid calls come from the memo), many times if need be.
      maxStalledCount: 20,
    });
    worker.on('error', (error) => options.log(`worker: ${error.message}\n`));
    options.log(
      `worker ${workerId}: taking jobs from queue ${queueName} on ${redactedRedisUrl(options.redisUrl)} (concurrency ${options.concurrency ?? 8}); Ctrl-C to stop\n`,
    );
    await new Promise<void>((resolve) => {
      options.stopSignal?.onStop((count) => {
        void worker.close(count >= 2).then(resolve, resolve);
      });
      worker.on('closed', () => resolve());
    });
    return { processed, memoHits, queue: queueName };
  } finally {
    for (const budget of budgets.values()) budget.close();
    cascade?.close();
    redis.disconnect();
    bullConnection.disconnect();
  }
}
