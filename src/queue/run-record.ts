import type { Redis } from 'ioredis';
import { runKeys } from './run-keys.js';

export type RunStatus = 'running' | 'paused' | 'cancelled' | 'finished';

/** What Redis holds about a queued run, for its collector, its workers and `cascade queue`. */
export interface RunRecord {
  runId: string;
  status: RunStatus;
  /** Digest of the cascade file the run was started with; a different file is refused under this id. */
  fingerprint: string;
  /** The BullMQ queue its jobs are on. */
  queue: string;
  cascade: string;
  cascadeFile: string;
  input: string;
  output: string;
  /** Items enqueued so far (not counting those already in the output). */
  total: number;
  budgetUsd?: number;
  deadlineMs?: number;
  createdAt: string;
}

export async function readRun(redis: Redis, runId: string): Promise<RunRecord | undefined> {
  const fields = await redis.hgetall(runKeys(runId).meta);
  if (!fields['fingerprint']) return undefined;
  return {
    runId,
    status: (fields['status'] as RunStatus | undefined) ?? 'running',
    fingerprint: fields['fingerprint'],
    queue: fields['queue'] ?? '',
    cascade: fields['cascade'] ?? '',
    cascadeFile: fields['cascadeFile'] ?? '',
    input: fields['input'] ?? '',
    output: fields['output'] ?? '',
    total: Number(fields['total'] ?? 0),
    ...(fields['budgetUsd'] && { budgetUsd: Number(fields['budgetUsd']) }),
    ...(fields['deadlineMs'] && { deadlineMs: Number(fields['deadlineMs']) }),
    createdAt: fields['createdAt'] ?? '',
  };
}

export async function writeRun(redis: Redis, record: RunRecord): Promise<void> {
  const { budgetUsd, deadlineMs, ...rest } = record;
  await redis.hset(runKeys(record.runId).meta, {
    ...rest,
    budgetUsd: budgetUsd === undefined ? '' : String(budgetUsd),
    deadlineMs: deadlineMs === undefined ? '' : String(deadlineMs),
  });
}

export async function setRunStatus(redis: Redis, runId: string, status: RunStatus): Promise<void> {
  await redis.hset(runKeys(runId).meta, 'status', status);
}

/**
 * Runs as a worker sees them, read again at most once a second: a paused or cancelled run is
 * noticed within a second by every worker, without a Redis read per job.
 */
export class RunRecordCache {
  private readonly entries = new Map<string, { at: number; record: Promise<RunRecord | undefined> }>();

  constructor(
    private readonly redis: Redis,
    private readonly maxAgeMs = 1000,
  ) {}

  get(runId: string, fresh = false): Promise<RunRecord | undefined> {
    const now = Date.now();
    const entry = this.entries.get(runId);
    if (entry && !fresh && now - entry.at < this.maxAgeMs) return entry.record;
    const record = readRun(this.redis, runId);
    this.entries.set(runId, { at: now, record });
    record.catch(() => this.entries.delete(runId));
    return record;
  }
}
