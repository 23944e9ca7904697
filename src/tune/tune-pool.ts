import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { portableTask, runTuneTask, type TuneTask, type TuneTaskResult } from './tune-task.js';

interface Job {
  task: TuneTask;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

// Where the compiled worker is; running from TypeScript sources (the tests) it is absent, and every
// task runs on the calling thread, as it does with one core or FRUGAL_CASCADE_TUNE_THREADS=1.
const workerFile = fileURLToPath(new URL('./tune-worker.js', import.meta.url));

/**
 * Worker threads for the independent parts of a tuning (folds, the baseline): tasks go to an idle
 * worker as they are submitted, and `drain` runs on the calling thread whatever no worker has taken,
 * so the caller's thread is one of the pool's. Results do not depend on which thread ran a task.
 */
export class TunePool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Job>();
  private readonly queue: Job[] = [];

  /** `threads`: how many threads may work, the caller's included (default: the cores available). */
  constructor(maxUseful: number) {
    const wanted = Number(process.env['FRUGAL_CASCADE_TUNE_THREADS'] ?? availableParallelism());
    const workers = Math.min(maxUseful, (Number.isFinite(wanted) ? Math.floor(wanted) : 1) - 1);
    if (workers < 1 || !existsSync(workerFile)) return;
    for (let index = 0; index < workers; index++) this.start();
  }

  private start(): void {
    const worker = new Worker(workerFile);
    // An idle worker never keeps the process alive.
    worker.unref();
    worker.on('message', (answer: { result?: unknown; error?: string }) => {
      const job = this.running.get(worker);
      this.running.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (answer.error !== undefined) job?.reject(new Error(answer.error));
      else job?.resolve(answer.result);
      this.dispatch();
    });
    const lost = (why: string) => {
      const job = this.running.get(worker);
      this.running.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      job?.reject(new Error(`a tuning worker stopped (${why}) before its ${job.task.kind} was done`));
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.idle.push(worker);
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(worker, job);
      worker.ref();
      worker.postMessage(portableTask(job.task));
    }
  }

  /** Run `task` on an idle worker now, or later on whichever thread is free first. */
  submit<T extends TuneTask>(task: T): Promise<TuneTaskResult<T>> {
    const result = new Promise<TuneTaskResult<T>>((resolve, reject) => {
      this.queue.push({ task, resolve: resolve as (result: unknown) => void, reject });
    });
    // Awaited by the caller later; a failure in between is not an unhandled rejection.
    result.catch(() => {});
    this.dispatch();
    return result;
  }

  /**
   * Run queued tasks on this thread until none is left, letting the workers' answers in between (so
   * an idle worker takes the next task rather than waiting for this thread).
   */
  async drain(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const job = this.queue.shift();
      if (!job) return;
      try {
        job.resolve(runTuneTask(job.task));
      } catch (error) {
        job.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** Stop the workers; a task still running on one fails. */
  close(): void {
    for (const worker of [...this.idle, ...this.running.keys()]) void worker.terminate();
    for (const job of this.running.values()) job.reject(new Error('the tuning was stopped'));
    this.idle.length = 0;
    this.running.clear();
  }
}
