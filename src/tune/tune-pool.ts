import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { portableTask, runTuneTask, type TuneTask, type TuneTaskResult } from './tune-task.js';
import { claimSlots, claimTask, type TaskMessage, type WorkerAnswer } from './tune-claims.js';

interface Job {
  index: number;
  task: TuneTask;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  settled: boolean;
  /** The worker it was posted to, if any. */
  worker?: Worker;
}

// Where the compiled worker is; running from TypeScript sources (the tests) it is absent, and every
// task runs on the calling thread, as it does with one core or FRUGAL_CASCADE_TUNE_THREADS=1.
const workerFile = fileURLToPath(new URL('./tune-worker.js', import.meta.url));

/**
 * Worker threads for the independent parts of a tuning (folds, the baseline), with the calling thread
 * as one more. Each task is posted to a worker (the one with the fewest posted) when it is submitted,
 * and is run by that worker or by the calling thread in `drain`, whichever claims its slot in memory
 * the threads share first (`tune-claims.ts`); the other passes it by. Results do not depend on which
 * thread ran a task.
 *
 * Why claims, not a queue on this thread: the calling thread runs a task without a break (a fold takes
 * about half a second), so a worker that finished could not be handed its next task until then. Handed
 * out that way, the worker waited for this thread about 0.6 s of a 3.2 s tuning, and this thread for the
 * worker's last fold another 0.4 s (bench/tune-speed, 2 cores: one worker). The price: every task is
 * copied to its worker, also those the calling thread ends up running (about 9 ms a fold of 1,225 items).
 * With two workers or more, a free worker does not take another's tasks; the calling thread still does.
 */
export class TunePool {
  private readonly workers: Worker[] = [];
  /** Tasks posted to each worker that it has not answered (taken or passed by) yet. */
  private readonly posted = new Map<Worker, number>();
  private readonly jobs: Job[] = [];
  private readonly claims: Int32Array;

  /** `maxUseful`: how many tasks will be submitted, the most workers that could be busy at once. */
  constructor(maxUseful: number) {
    this.claims = claimSlots(maxUseful);
    const wanted = Number(process.env['FRUGAL_CASCADE_TUNE_THREADS'] ?? availableParallelism());
    const workers = Math.min(maxUseful, (Number.isFinite(wanted) ? Math.floor(wanted) : 1) - 1);
    if (workers < 1 || !existsSync(workerFile)) return;
    for (let index = 0; index < workers; index++) this.start();
  }

  private start(): void {
    const worker = new Worker(workerFile);
    // An idle worker never keeps the process alive.
    worker.unref();
    this.workers.push(worker);
    this.posted.set(worker, 0);
    worker.on('message', (answer: WorkerAnswer) => {
      if (!this.posted.has(worker)) return;
      const left = this.posted.get(worker)! - 1;
      this.posted.set(worker, left);
      if (left === 0) worker.unref();
      if ('passed' in answer) return;
      const job = this.jobs[answer.index];
      if (!job || job.settled) return;
      if ('error' in answer) this.settle(job, undefined, new Error(answer.error));
      else this.settle(job, answer.result);
    });
    let gone = false;
    const lost = (why: string) => {
      if (gone) return;
      gone = true;
      const at = this.workers.indexOf(worker);
      if (at >= 0) this.workers.splice(at, 1);
      this.posted.delete(worker);
      for (const job of this.jobs) {
        if (job.worker !== worker || job.settled) continue;
        // Not taken yet: this thread takes it. Taken by the worker: its result is lost with it.
        if (claimTask(this.claims, job.index)) this.runHere(job);
        else
          this.settle(
            job,
            undefined,
            new Error(`a tuning worker stopped (${why}) before its ${job.task.kind} was done`),
          );
      }
    };
    worker.on('error', (error) => lost(error.message));
    // An answer that cannot be read here would leave its task waiting for ever.
    worker.on('messageerror', (error) => lost(`its answer could not be read: ${error.message}`));
    worker.on('exit', (code) => lost(`exit code ${code}`));
  }

  /** Post `task` to the worker with the fewest tasks posted, to be run by it or by `drain`, whichever comes first. */
  submit<T extends TuneTask>(task: T): Promise<TuneTaskResult<T>> {
    const index = this.jobs.length;
    const result = new Promise<TuneTaskResult<T>>((resolve, reject) => {
      this.jobs.push({ index, task, resolve: resolve as (result: unknown) => void, reject, settled: false });
    });
    // Awaited by the caller later; a failure in between is not an unhandled rejection.
    result.catch(() => {});
    const job = this.jobs[index]!;
    const worker = this.workers.reduce<Worker | undefined>(
      (fewest, candidate) =>
        fewest === undefined || this.posted.get(candidate)! < this.posted.get(fewest)! ? candidate : fewest,
      undefined,
    );
    if (worker && index < this.claims.length) {
      job.worker = worker;
      this.posted.set(worker, this.posted.get(worker)! + 1);
      worker.ref();
      const message: TaskMessage = { index, task: portableTask(task), claims: this.claims };
      worker.postMessage(message);
    }
    return result;
  }

  /**
   * Run on this thread every task no worker has taken, in the order they were submitted, letting the
   * workers' answers in between. The tasks the workers took settle as their answers come.
   */
  async drain(): Promise<void> {
    for (const job of this.jobs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!job.settled && claimTask(this.claims, job.index)) this.runHere(job);
    }
  }

  private runHere(job: Job): void {
    try {
      this.settle(job, runTuneTask(job.task));
    } catch (error) {
      this.settle(job, undefined, error instanceof Error ? error : new Error(String(error)));
    }
  }

  private settle(job: Job, result: unknown, error?: Error): void {
    job.settled = true;
    if (error) job.reject(error);
    else job.resolve(result);
  }

  /** Stop the workers; a task not done yet fails. */
  close(): void {
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
    for (const job of this.jobs) if (!job.settled) this.settle(job, undefined, new Error('the tuning was stopped'));
  }
}
