import { sha256 } from '../common/canonical-json.js';
import { ConfigError } from '../errors/index.js';

/**
 * The Redis keys of one queued run. The `{run}` hash tag keeps them in one slot, so the budget's
 * atomic scripts also work on a Redis Cluster.
 */
export function runKeys(runId: string) {
  const base = `fc:{${runId}}`;
  return {
    /** Hash: the run's record (status, fingerprint, queue, budget, ...). */
    meta: `${base}:meta`,
    /** Hash: limit, spent and reserved dollars. */
    budget: `${base}:budget`,
    /** Hash: dollars each worker holds reserved. */
    held: `${base}:held`,
    /** Sorted set: each worker's lease on what it holds, scored by expiry. */
    leases: `${base}:leases`,
    /** Stream: finished results, read by the collector. */
    results: `${base}:results`,
    /** String per call already paid: its completion. */
    memo: (callHash: string) => `${base}:memo:${callHash}`,
    memoPattern: `${base}:memo:*`,
  };
}

/** A job's id: the same run and item always give the same id, so enqueuing twice adds nothing. */
export function jobIdOf(runId: string, itemKey: string): string {
  // BullMQ refuses ids with `:` and ids that are integers.
  return `${runId}.${sha256(itemKey).slice(0, 24)}`;
}

/** The BullMQ queue a cascade's jobs go on: workers started with the same cascade file listen on it. */
export function queueNameOf(cascadeName: string, fingerprint: string): string {
  return `cascade.${cascadeName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}.${fingerprint.slice(0, 12)}`;
}

const runIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function checkRunId(runId: string): string {
  if (!runIdPattern.test(runId))
    throw new ConfigError(`--run-id: expected 1-64 letters, digits, _ or -, got \`${runId}\``, { field: '--run-id' });
  return runId;
}
