import { existsSync } from 'node:fs';
import { plural } from '../common/plural.js';
import { resolve } from 'node:path';
import { runBatch } from '../batch/run-batch.js';
import { loadCascadeFile } from '../config/load-cascade.js';
import { ConfigError } from '../errors/index.js';
import type { CliIo } from './io.js';
import { numberOption } from './number-option.js';
import { loadOptionsFrom } from './source-options.js';
import type { RunOptions } from './run-options.js';
import { FixtureWriter } from '../record/fixture-writer.js';
import { ExploreStats } from '../record/explore.js';
import type { Recording } from '../record/run-recorded.js';
import { interruptedExitCode, listenForStop } from './stop-signals.js';
import { priceNotes } from './price-notes.js';

/**
 * `cascade run`: a batch job. Results are written as they finish; run the same command again to resume.
 * SIGINT/SIGTERM stops taking items and lets calls in flight finish; a second signal cancels them.
 */
export async function runCommand(
  file: string,
  options: RunOptions,
  io: CliIo,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  if (options.queue !== undefined) {
    const { queuedRunCommand } = await import('./queued-run-command.js');
    return queuedRunCommand(file, { ...options, queue: options.queue }, io, signals);
  }
  if (options.runId !== undefined || options.resume)
    throw new ConfigError(
      '`--run-id` and `--resume` are for queued runs (--queue redis://...); a local run resumes by itself',
    );
  const concurrency = numberOption('concurrency', options.concurrency, { min: 1, integer: true }) ?? 8;
  const budgetFlag = numberOption('budget-usd', options.budgetUsd, { min: 0 });
  const maxLineBytes = numberOption('max-line-bytes', options.maxLineBytes, { min: 1, integer: true });
  const deadlineMs = numberOption('deadline-ms', options.deadlineMs, { min: 1 });
  // --strict reads the input twice (check, then run); standard input can be read only once.
  if (options.strict && options.input === '-')
    throw new ConfigError('`--strict` needs `--input` to be a file: standard input cannot be read twice');
  const exploreRate = numberOption('explore', options.explore, { min: 0, max: 1 });
  const exploreOut = exploreRate === undefined ? undefined : (options.exploreOut ?? defaultExploreOut(options.output));
  if (exploreOut !== undefined && options.record !== undefined && resolve(exploreOut) === resolve(options.record)) {
    // Both would write the explored items' records, and ids must be unique in a fixture.
    throw new ConfigError(
      `\`--explore-out\` and \`--record\` are the same file (${options.record}); give them different files`,
    );
  }
  const cascade = await loadCascadeFile(
    file,
    loadOptionsFrom(options, io.env, options.record !== undefined || exploreRate !== undefined, (message) =>
      io.stderr(`cascade: ${message}\n`),
    ),
  );
  cascade.checkEnvironment(io.env);
  // The flags over the cascade file's `budget.runUsd` and `budget.downshift`.
  const budgetUsd = budgetFlag ?? cascade.runDefaults?.budgetUsd;
  // `--no-downshift` (false) overrides the file as `--downshift` (true) does.
  const downshift = options.downshift ?? cascade.runDefaults?.downshift === true;
  if (options.downshift && budgetUsd === undefined) {
    throw new ConfigError(
      '`--downshift` shifts down as a run budget runs out; give `--budget-usd` too (or `budget.runUsd` in the cascade file)',
      { field: '--downshift' },
    );
  }
  if (options.input !== '-' && !existsSync(options.input)) {
    throw new ConfigError(`--input: ${options.input} does not exist (resolved to ${resolve(options.input)})`, {
      field: '--input',
    });
  }

  const recording: Recording = {
    ...(options.record && { record: await FixtureWriter.open(options.record) }),
    ...(exploreRate !== undefined && {
      explore: { rate: exploreRate, writer: await FixtureWriter.open(exploreOut!), stats: new ExploreStats(cascade) },
    }),
  };
  const stop = listenForStop(io, signals, {
    first: 'taking no new items; waiting for calls in flight (send again to cancel them)',
    again: 'cancelling calls in flight',
  });
  const toStdout = options.output === '-';
  try {
    const outcome = await runBatch(cascade, {
      input: options.input,
      output: options.output,
      concurrency,
      ...(budgetUsd !== undefined && { budgetUsd }),
      ...(options.strict && { strict: true }),
      ...(maxLineBytes !== undefined && { maxLineBytes }),
      ...(options.overwrite && { overwrite: true }),
      ...(options.retryFailed && { retryFailed: true }),
      ...(options.redoChanged && { redoChanged: true }),
      ...(downshift && { downshift: true }),
      ...(deadlineMs !== undefined && { deadlineMs }),
      log: io.stderr,
      stdout: io.stdout,
      isTerminal: io.stderrIsTerminal ?? false,
      stopSignal: stop.stopSignal,
      recording,
    });
    if (outcome.strictErrors) {
      io.stderr(`${options.input}: --strict refused the input; nothing was run:\n${outcome.strictErrors.join('\n')}\n`);
      return 2;
    }
    const notes = [
      ...priceNotes(cascade),
      outcome.skippedAsDone > 0 && outcome.summary.items === 0
        ? `resumed:       all ${outcome.skippedAsDone} items were already done in ${options.output} (use --overwrite to redo them)`
        : outcome.skippedAsDone > 0
          ? `resumed:       ${plural(outcome.skippedAsDone, 'item')} already in ${options.output} ${outcome.skippedAsDone === 1 ? 'was' : 'were'} skipped`
          : '',
      outcome.truncatedBytes > 0
        ? `               a torn last line (${outcome.truncatedBytes} bytes) was cut and its item redone`
        : '',
      outcome.tookOverLock
        ? `lock:          took over ${options.output}.lock from pid ${outcome.tookOverLock.pid}, which is no longer running`
        : '',
      outcome.redone > 0
        ? `redone:        ${plural(outcome.redone, 'item')} (${outcome.redone === 1 ? 'its old result was' : 'their old results were'} replaced)`
        : '',
      outcome.changedInputs.length > 0
        ? `changed input: ${outcome.changedInputs.length} items changed since their results were written and were left as they were (${outcome.changedInputs.slice(0, 5).join(', ')}${outcome.changedInputs.length > 5 ? ', ...' : ''}); use --redo-changed to redo them`
        : '',
      budgetUsd !== undefined
        ? `run budget:    $${budgetUsd}${budgetFlag === undefined ? " (the cascade file's budget.runUsd)" : ''}${downshift ? ', downshifting' : ''} (spent $${(outcome.summary.costUsd + outcome.previouslySpentUsd).toFixed(6)}${outcome.previouslySpentUsd > 0 ? `, of which $${outcome.previouslySpentUsd.toFixed(6)} by earlier runs on this output` : ''})`
        : '',
      recording.record ? `recorded:      ${recording.record.written} fixture records -> ${recording.record.path}` : '',
      recording.explore ? recording.explore.stats.format(recording.explore.writer.path) : '',
      stop.received() ? `stopped by ${stop.received()}: run the same command again to finish` : '',
      outcome.writeError
        ? `write failed:  ${outcome.writeError.message}; ${outcome.writeError.lost > 0 ? `${outcome.writeError.lost} finished results could not be written and will be redone; ` : ''}everything written before is kept: free space and run the same command again to resume`
        : '',
    ].filter(Boolean);
    const report = outcome.summary.format(toStdout ? '(stdout)' : options.output, outcome.wallSeconds);
    (toStdout ? io.stderr : io.stdout)(
      `cascade ${cascade.name}\n${report}\n${notes.map((note) => `${note}\n`).join('')}`,
    );
    if (outcome.writeError) return 1;
    const received = stop.received();
    return received ? interruptedExitCode[received] : 0;
  } finally {
    recording.record?.close();
    cascade.close();
    recording.explore?.writer.close();
    stop.dispose();
  }
}

/** `results/run.jsonl` explores into `results/run.explored.jsonl`. */
function defaultExploreOut(output: string): string {
  if (output === '-')
    throw new ConfigError('`--explore` with `--output -` needs `--explore-out <file.jsonl>` for the explored fixtures');
  return output.replace(/(\.jsonl?)?$/, '.explored.jsonl');
}
