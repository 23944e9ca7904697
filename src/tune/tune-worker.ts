// A worker thread of `TunePool` (tune-pool.ts): each message is a tuning task, each answer its result.
import { parentPort } from 'node:worker_threads';
import { runTuneTask, type TuneTask } from './tune-task.js';

const port = parentPort;
if (!port) throw new Error('tune-worker.js runs inside a worker thread, started by TunePool');
port.on('message', (task: TuneTask) => {
  try {
    port.postMessage({ result: runTuneTask(task) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
