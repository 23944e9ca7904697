import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { ItemJob } from './job-data.js';
import { readBudget } from './redis-budget.js';
import { runKeys } from './run-keys.js';
import { readRun, setRunStatus, type RunRecord, type RunStatus } from './run-record.js';

/** Jobs of a run not yet taken by a worker (those running finish, or are dropped by a cancelled run's workers). */
async function removeWaitingJobs(queue: Queue<ItemJob>, runId: string): Promise<number> {
  let removed = 0;
  for (const state of ['waiting', 'delayed', 'prioritized', 'failed'] as const) {
    for (let start = 0; ; ) {
      const jobs = await queue.getJobs([state], start, start + 999);
      if (jobs.length === 0) break;
      let kept = 0;
      for (const job of jobs) {
        if (job?.data?.runId === runId) {
          await job.remove().catch(() => undefined);
          removed++;
        } else kept++;
      }
      start += kept;
      if (jobs.length < 1000) break;
    }
  }
  return removed;
}

async function withQueue<T>(redis: Redis, name: string, use: (queue: Queue<ItemJob>) => Promise<T>): Promise<T> {
  const { Queue } = await import('bullmq');
  const queue = new Queue<ItemJob>(name, { connection: redis });
  queue.on('error', () => undefined);
  try {
    return await use(queue);
  } finally {
    await queue.close();
  }
}

/** Everything Redis holds for a run: its jobs not yet taken, results, budget, memo and record. */
export async function deleteRun(redis: Redis, run: RunRecord): Promise<void> {
  await setRunStatus(redis, run.runId, 'cancelled');
  await withQueue(redis, run.queue, (queue) => removeWaitingJobs(queue, run.runId));
  const keys = runKeys(run.runId);
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', keys.memoPattern, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
  await redis.del(keys.meta, keys.budget, keys.held, keys.leases, keys.results);
}

export interface RunStatusReport {
  run: RunRecord;
  /** Results in the output, and finished ones waiting for the collector. */
  done: number;
  /** Results finished but not yet written by the collector. */
  uncollected: number;
  jobs: Record<string, number>;
  workers: number;
  budget?: { limitUsd: number; spentUsd: number; reservedUsd: number };
}

export async function runStatus(redis: Redis, runId: string): Promise<RunStatusReport | undefined> {
  const run = await readRun(redis, runId);
  if (!run) return undefined;
  const keys = runKeys(runId);
  const [collected, uncollected] = await Promise.all([redis.hget(keys.meta, 'collected'), redis.xlen(keys.results)]);
  const done = Number(collected ?? 0) + uncollected;
  const budget = await readBudget(redis, runId);
  const { jobs, workers } = await withQueue(redis, run.queue, async (queue) => ({
    jobs: await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
    workers: await queue.getWorkersCount(),
  }));
  return { run, done, uncollected, jobs, workers, ...(budget && { budget }) };
}

/**
 * Pause, resume or cancel a run. Workers read a run's status at most a second old before each job: a paused
 * run's jobs wait, a cancelled run's are dropped (and those not yet taken removed from the queue).
 */
export async function controlRun(
  redis: Redis,
  runId: string,
  action: 'pause' | 'resume' | 'cancel',
): Promise<{ run: RunRecord; removed: number } | undefined> {
  const run = await readRun(redis, runId);
  if (!run) return undefined;
  const status: RunStatus = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'cancelled';
  await setRunStatus(redis, runId, status);
  const removed =
    action === 'cancel' ? await withQueue(redis, run.queue, (queue) => removeWaitingJobs(queue, runId)) : 0;
  return { run: { ...run, status }, removed };
}
