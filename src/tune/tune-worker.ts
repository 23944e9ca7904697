// A worker thread of `TunePool` (tune-pool.ts): each message is a tuning task, run here unless another
// thread claimed it first; each answer is its result, its error, or that it was passed by.
import { parentPort } from 'node:worker_threads';
import { claimTask, type TaskMessage, type WorkerAnswer } from './tune-claims.js';
import { runTuneTask } from './tune-task.js';

const port = parentPort;
if (!port) throw new Error('tune-worker.js runs inside a worker thread, started by TunePool');
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
port.on('message', ({ index, task, claims }: TaskMessage) => {
  // A task without a slot is never posted (the calling thread runs it); were one, it would not be run here.
  if (index >= claims.length || !claimTask(claims, index)) {
    port.postMessage({ index, passed: true } satisfies WorkerAnswer);
    return;
  }
  let answer: WorkerAnswer;
  try {
    answer = { index, result: runTuneTask(task) };
  } catch (error) {
    answer = { index, error: message(error) };
  }
  try {
    port.postMessage(answer);
  } catch (error) {
    // A result that cannot be copied to the calling thread fails its task, not the worker.
    port.postMessage({ index, error: message(error) } satisfies WorkerAnswer);
  }
});
