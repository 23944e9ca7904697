import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCascadeFile } from '../config/load-cascade.js';
import { ConfigError } from '../errors/index.js';
import type { CliIo } from './io.js';
import { numberOption } from './number-option.js';
import type { RunOptions } from './run-options.js';
import { interruptedExitCode, listenForStop } from './stop-signals.js';
import { priceNotes } from './price-notes.js';

/** Flags of a local run that a queued run does not take, with why. */
const localOnly: [keyof RunOptions, string][] = [
  ['explore', 'exploring records fixtures in the process that calls the models'],
  ['record', 'recording happens in the process that calls the models'],
  ['downshift', 'the workers do not share a count of items left'],
  ['retryFailed', 'redo them in a local run, or start the queued run afresh with --overwrite'],
  ['redoChanged', 'redo them in a local run, or start the queued run afresh with --overwrite'],
  ['replay', 'workers answer from recordings: start them with `cascade worker ... --replay <file>`'],
  ['offline', 'start the workers with `cascade worker ... --offline`'],
  ['replayPace', 'start the workers with `cascade worker ... --replay <file> --replay-pace`'],
];

/**
 * `cascade run --queue redis://...`: enqueue the items for `cascade worker` processes on any machine and
 * write their results as they come, with the progress line and summary of a local run.
 */
export async function queuedRunCommand(
  file: string,
  options: RunOptions & { queue: string; runId?: string; resume?: boolean },
  io: CliIo,
  signals: NodeJS.EventEmitter,
): Promise<number> {
  for (const [flag, why] of localOnly) {
    if (options[flag] !== undefined && options[flag] !== false)
      throw new ConfigError(
        `--${flag.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} does not go with --queue: ${why}`,
      );
  }
  if (options.output === '-') throw new ConfigError('`--queue` writes to a file: give `--output <file.jsonl>`');
  if (options.input === '-')
    throw new ConfigError('`--queue` reads the items again on --resume: give `--input <file.jsonl>`');
  if (!existsSync(options.input))
    throw new ConfigError(`--input: ${options.input} does not exist (resolved to ${resolve(options.input)})`, {
      field: '--input',
    });
  if (options.concurrency !== undefined)
    io.stderr('cascade: --concurrency is per worker with --queue: give it to `cascade worker`\n');
  const budgetFlag = numberOption('budget-usd', options.budgetUsd, { min: 0 });
  const deadlineMs = numberOption('deadline-ms', options.deadlineMs, { min: 1 });
  const maxLineBytes = numberOption('max-line-bytes', options.maxLineBytes, { min: 1, integer: true });
  // The collector calls no model: it needs the cascade's tiers and prices, not its keys or cache.
  const cascade = await loadCascadeFile(file, { env: io.env, cache: false });
  const budgetUsd = budgetFlag ?? cascade.runDefaults?.budgetUsd;
  if (cascade.runDefaults?.downshift && options.downshift !== false)
    io.stderr(
      `cascade: ${file}: budget.downshift is not applied with --queue (the workers do not share a count of items left); the run budget of $${budgetUsd} still holds\n`,
    );
  const stop = listenForStop(io, signals, {
    first: 'collecting stops; the workers go on with the jobs (run the same command with --resume to collect them)',
    again: 'stopping now',
  });
  const { runQueued } = await import('../queue/run-queued.js');
  try {
    const outcome = await runQueued(cascade, {
      cascadeFile: file,
      redisUrl: options.queue,
      input: options.input,
      output: options.output,
      ...(options.runId !== undefined && { runId: options.runId }),
      ...(budgetUsd !== undefined && { budgetUsd }),
      ...(deadlineMs !== undefined && { deadlineMs }),
      ...(maxLineBytes !== undefined && { maxLineBytes }),
      ...(options.resume && { resume: true }),
      ...(options.overwrite && { overwrite: true }),
      log: io.stderr,
      isTerminal: io.stderrIsTerminal ?? false,
      stopSignal: stop.stopSignal,
    });
    const notes = [
      ...priceNotes(cascade),
      `queue:         run ${outcome.runId} on ${outcome.queue} (${outcome.enqueued} jobs this time${outcome.skippedAsDone > 0 ? `, ${outcome.skippedAsDone} items already in ${options.output}` : ''})`,
      outcome.budget
        ? `run budget:    $${outcome.budget.limitUsd} (spent $${outcome.budget.spentUsd.toFixed(6)} across all workers and runs of ${outcome.runId})`
        : '',
      outcome.tookOverLock
        ? `lock:          took over ${options.output}.lock from pid ${outcome.tookOverLock.pid}, which is no longer running`
        : '',
      outcome.cancelled ? `cancelled:     run ${outcome.runId} was cancelled; what finished before is written` : '',
      stop.received()
        ? `stopped by ${stop.received()}: the workers go on; run the same command with --resume to collect the rest`
        : '',
    ].filter(Boolean);
    io.stdout(
      `cascade ${cascade.name}\n${outcome.summary.format(options.output, outcome.wallSeconds)}\n${notes.map((note) => `${note}\n`).join('')}`,
    );
    const received = stop.received();
    if (received) return interruptedExitCode[received];
    return outcome.cancelled ? 1 : 0;
  } finally {
    stop.dispose();
    cascade.close();
  }
}
