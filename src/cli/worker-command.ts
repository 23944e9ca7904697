import { plural } from '../common/plural.js';
import { loadCascadeFile } from '../config/load-cascade.js';
import type { CliIo } from './io.js';
import { numberOption } from './number-option.js';
import { loadOptionsFrom, type SourceOptions } from './source-options.js';
import { listenForStop } from './stop-signals.js';

export interface WorkerCommandOptions extends SourceOptions {
  queue: string;
  concurrency?: string;
  lockMs?: string;
}

/** `cascade worker`: run the queued jobs of this cascade until stopped (SIGINT/SIGTERM). */
export async function workerCommand(
  file: string,
  options: WorkerCommandOptions,
  io: CliIo,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  const concurrency = numberOption('concurrency', options.concurrency, { min: 1, integer: true }) ?? 8;
  const lockMs = numberOption('lock-ms', options.lockMs, { min: 500, integer: true });
  const loadOptions = loadOptionsFrom(options, io.env, false, (message) => io.stderr(`cascade: ${message}\n`));
  const stop = listenForStop(io, signals, {
    first: 'taking no new jobs; finishing those in flight (send again to give them back now)',
    again: 'giving the jobs in flight back to the queue',
  });
  const { runWorker } = await import('../queue/run-worker.js');
  try {
    const outcome = await runWorker({
      cascadeFile: file,
      redisUrl: options.queue,
      concurrency,
      ...(lockMs !== undefined && { lockMs }),
      loadCascade: async (limiter) => {
        const cascade = await loadCascadeFile(file, { ...loadOptions, limiter });
        cascade.checkEnvironment(io.env);
        return cascade;
      },
      log: io.stderr,
      stopSignal: stop.stopSignal,
    });
    io.stdout(
      `worker stopped: ${outcome.processed} items done${outcome.memoHits > 0 ? `, ${plural(outcome.memoHits, 'call')} answered from the memo of jobs run again (not paid twice)` : ''}\n`,
    );
    return 0;
  } finally {
    stop.dispose();
  }
}
