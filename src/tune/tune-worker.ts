// A worker thread of `TunePool` (tune-pool.ts): each message is a tuning task, run here unless another
// thread claimed it first; each answer is its result, its error, or that it was passed by.
import { parentPort } from 'node:worker_threads';
import { claimTask, type TaskMessage, type WorkerAnswer } from './tune-claims.js';
import { runTuneTask } from './tune-task.js';

const port = parentPort;
if (!port) throw new Error('tune-worker.js runs inside a worker thread, started by TunePool');
port.on('message', ({ index, task, claims }: TaskMessage) => {
  let answer: WorkerAnswer;
  if (!claimTask(claims, index)) answer = { index, passed: true };
  else {
    try {
      answer = { index, result: runTuneTask(task) };
    } catch (error) {
      answer = { index, error: error instanceof Error ? error.message : String(error) };
    }
  }
  port.postMessage(answer);
});
