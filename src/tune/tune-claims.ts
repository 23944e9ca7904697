// How the tuning's threads share out its tasks: the claim slots, and the messages a task and its answer travel in.
import type { TuneTask, TuneTaskResult } from './tune-task.js';

/**
 * One slot per task, in memory the tuning's threads share: a task is run by the thread that first turns
 * its slot from 0 to 1, so a task posted to a worker and also in the calling thread's list runs once.
 */
export function claimSlots(tasks: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * Math.max(tasks, 1)));
}

/**
 * Take task `index` for this thread: true if no thread had taken it. A task past the slots was never
 * posted to a worker, so it is the calling thread's (a worker passes such a task by).
 */
export function claimTask(claims: Int32Array, index: number): boolean {
  if (index >= claims.length) return true;
  return Atomics.compareExchange(claims, index, 0, 1) === 0;
}

/** What the calling thread posts to a worker: a task, its slot, and the slots (shared, not copied). */
export interface TaskMessage {
  index: number;
  task: TuneTask;
  claims: Int32Array;
}

/** A worker's answer to a task posted to it: its result or error, or that another thread had taken it. */
export type WorkerAnswer =
  | { index: number; result: TuneTaskResult<TuneTask> }
  | { index: number; error: string }
  | { index: number; passed: true };
