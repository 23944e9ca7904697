import { setMaxListeners } from 'node:events';
import type { Cascade } from '../engine/cascade.js';
import { RunBudget } from '../engine/run-budget.js';
import { badLineRecord, duplicateIdRecord, failureRecord, resultRecord } from './result-record.js';
import { RunSummary } from './run-summary.js';
import type { RunReporting } from './run-reporting.js';
import { downshiftCap } from './downshift.js';
import { topTierCostUsd } from './top-tier-cost.js';
import { loadTokenizer } from '../tokens/count-tokens.js';
import { Progress } from './progress.js';
import { readItems, countItems, defaultMaxLineBytes, type ItemLine } from './read-items.js';
import { compactOutput, itemKey, prepareResume, type ResumeState } from '../output/resume.js';
import { OutputWriteError, type ResultSink, withResultSink } from '../output/result-sink.js';
import { OutputLock } from '../output/output-lock.js';
import { canonicalJson, canonicalPlainMessagesJson, sha256 } from '../common/canonical-json.js';
import type { CascadeRequest } from '../spec/request.js';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { runRecorded, type Recording } from '../record/run-recorded.js';

export interface BatchOptions extends RunReporting {
  input: string;
  output: string;
  /** Items in flight at once. @default 8 */
  concurrency?: number;
  /** A limit on the whole job's spending; what earlier runs on the same output spent counts. */
  budgetUsd?: number;
  /** Refuse the whole input, before any call, if a line is bad. */
  strict?: boolean;
  maxLineBytes?: number;
  /** Start the output afresh instead of resuming it (done under the output's lock). */
  overwrite?: boolean;
  /** Redo items whose written result is an error or a budget stop. */
  retryFailed?: boolean;
  /** Redo items whose input changed since their result was written. */
  redoChanged?: boolean;
  /** With a budget: cap the highest tier as the budget runs down faster than the items (see downshift.ts). */
  downshift?: boolean;
  /** Time each item may take, ms (an item's own `deadlineMs` field wins). */
  deadlineMs?: number;
  /** Where results go when `output` is `-`. */
  stdout: (text: string) => void;
  /** Record every call as fixtures, and explore a share of the items. */
  recording?: Recording;
}

export interface BatchOutcome {
  summary: RunSummary;
  skippedAsDone: number;
  /** Why the run ended early, if it did. */
  interrupted: boolean;
  /** Lines refused by --strict (nothing was run). */
  strictErrors?: string[];
  wallSeconds: number;
  truncatedBytes: number;
  /** What earlier runs on this output spent (counted by the budget). */
  previouslySpentUsd: number;
  /** Items redone by --retry-failed or --redo-changed. */
  redone: number;
  /** Ids whose input changed since their result was written, left as they were (no --redo-changed). */
  changedInputs: string[];
  /** Set when a stale lock of a dead run was taken over. */
  tookOverLock?: { pid: number; host: string; started: string };
  /** Set when writing the output failed: why, and how many finished results could not be written. */
  writeError?: { message: string; lost: number };
}

/** A hash of what an item asks, kept with its result so a resumed run notices a changed input. */
export function inputHashOf(request: CascadeRequest): string {
  // Most items' messages are plain role/content pairs: their canonical JSON is written directly.
  const canonical =
    (request.outputSchema === undefined ? canonicalPlainMessagesJson(request.messages) : undefined) ??
    canonicalJson({ messages: request.messages, outputSchema: request.outputSchema });
  return sha256(canonical).slice(0, 16);
}

const emptyResume: ResumeState = {
  done: new Map(),
  truncatedBytes: 0,
  spentUsd: 0,
  superseded: 0,
  regularFile: false,
};

/**
 * Run a file of items through the cascade, `concurrency` at a time, writing each result as it finishes. Running it
 * again with the same output skips the items already written, so a killed run resumes without losing
 * or repeating an item. The output is locked for the run, so two runs cannot write it at once.
 */
export async function runBatch(cascade: Cascade, options: BatchOptions): Promise<BatchOutcome> {
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  const concurrency = options.concurrency ?? 8;
  if (concurrency !== Infinity && !(Number.isInteger(concurrency) && concurrency >= 1))
    throw new RangeError(`concurrency: expected a whole number of 1 or more (or Infinity), got ${concurrency}`);
  if (options.strict) {
    const errors: string[] = [];
    const seen = new Map<string, number>();
    for await (const item of readItems(options.input, maxLineBytes)) {
      if ('error' in item) errors.push(item.error);
      else if (seen.has(item.idKey))
        errors.push(`line ${item.line}: duplicate id ${item.rawId} (first on line ${seen.get(item.idKey)})`);
      else seen.set(item.idKey, item.line);
    }
    if (errors.length > 0)
      return {
        summary: summaryFor(cascade),
        skippedAsDone: 0,
        interrupted: false,
        strictErrors: errors,
        wallSeconds: 0,
        truncatedBytes: 0,
        previouslySpentUsd: 0,
        redone: 0,
        changedInputs: [],
      };
  }
  const toFile = options.output !== '-' && (!existsSync(options.output) || statSync(options.output).isFile());
  if (toFile) mkdirSync(dirname(options.output), { recursive: true });
  const lock = toFile ? OutputLock.acquire(options.output) : undefined;
  try {
    if (options.overwrite && toFile) rmSync(options.output, { force: true });
    const resume = options.output === '-' ? emptyResume : await prepareResume(options.output);
    return await withResultSink(options.output, options.stdout, (sink) =>
      runLocked(sink, cascade, options, resume, { maxLineBytes, concurrency }, lock),
    );
  } finally {
    lock?.release();
  }
}

async function runLocked(
  sink: ResultSink,
  cascade: Cascade,
  options: BatchOptions,
  resume: ResumeState,
  { maxLineBytes, concurrency }: { maxLineBytes: number; concurrency: number },
  lock: OutputLock | undefined,
): Promise<BatchOutcome> {
  const summary = summaryFor(cascade);
  const runBudget = options.budgetUsd === undefined ? undefined : new RunBudget(options.budgetUsd, resume.spentUsd);
  if (runBudget) loadTokenizer();
  const inFlight = new AbortController();
  // Every call in flight listens to it: as many listeners as the concurrency, by design.
  setMaxListeners(0, inFlight.signal);
  /** The lines this run has to do (not counting those an earlier run did); undefined unless the input is a regular file. */
  const countToDo = async () => {
    const lines = await countItems(options.input, maxLineBytes);
    return lines === undefined ? undefined : Math.max(0, lines - resume.done.size);
  };
  // Counted before the first item only where it is needed from the start (a terminal's bar, downshifting);
  // otherwise when the first progress line is due (reading the input twice was about 2.5% of a
  // 20,000-item replay).
  const countFirst = options.isTerminal || (runBudget !== undefined && options.downshift === true);
  const toDo = countFirst ? await countToDo() : undefined;
  const progress = new Progress(options.log, options.isTerminal, toDo);
  if (!countFirst) progress.countWhenDue(countToDo);
  let escalated = 0;
  let errors = 0;
  let stopping = false;
  let skippedAsDone = 0;
  let redone = 0;
  const changedInputs: string[] = [];
  let writeError: OutputWriteError | undefined;
  // Items in flight finish and are written; no other is started.
  const stop = () => {
    stopping = true;
  };
  options.stopSignal?.onStop((count) => {
    stop();
    if (count >= 2) inFlight.abort();
  });
  // Stop taking items; results still coming in are held by the sink, and written if the disk recovers.
  const onWriteError = (error: OutputWriteError) => {
    writeError ??= error;
    stop();
  };

  const finish = (record: Record<string, unknown>, rawId?: string) => {
    try {
      sink.write(record, rawId);
    } catch (error) {
      if (!(error instanceof OutputWriteError)) throw error;
      onWriteError(error);
    }
    // The lines of this turn go out in one write when it ends.
    if (!writeError) sink.flushSoon(onWriteError);
    progress.update({ done: summary.items, costUsd: summary.costUsd, escalated, errors });
  };

  const runItem = async (item: Extract<ItemLine, { request: unknown }>, inputHash: string) => {
    try {
      const deadlineMs = typeof item.extra['deadlineMs'] === 'number' ? item.extra['deadlineMs'] : options.deadlineMs;
      const runOptions = {
        signal: inFlight.signal,
        ...(runBudget && { runBudget }),
        ...(runBudget &&
          options.downshift &&
          toDo !== undefined &&
          toDo > 0 && {
            highestTier: () =>
              downshiftCap(
                cascade.tiers.length,
                runBudget.remaining / (runBudget.limitUsd || 1),
                Math.max(0, toDo - summary.items) / Math.max(1, toDo),
              ),
          }),
        ...(deadlineMs !== undefined && { deadlineMs }),
      };
      const result = await runRecorded(cascade, item.id, item.request, runOptions, options.recording ?? {});
      summary.add(result, topTierCostUsd(cascade, item.request, result));
      if (result.trace.length > 1) escalated++;
      if (result.stop === 'error') errors++;
      finish(resultRecord(item, result, inputHash), item.rawId);
    } catch (error) {
      // Cancelled by a second signal: left unwritten, so the next run does it.
      const record = failureRecord(item, error, inputHash);
      if (!record) return;
      errors++;
      summary.addFailure(error instanceof Error ? error.name : 'unknown');
      finish(record, item.rawId);
    }
  };

  /** Whether a line's earlier result stands, or the item is to be run (again). */
  const alreadyDone = (key: string, inputHash?: string, id?: string): boolean => {
    const done = resume.done.get(key);
    if (!done) return false;
    if (options.retryFailed && (done.stop === 'error' || done.stop === 'budget')) {
      redone++;
      return false;
    }
    if (inputHash !== undefined && done.inputHash !== undefined && done.inputHash !== inputHash) {
      if (options.redoChanged) {
        redone++;
        return false;
      }
      if (id !== undefined) changedInputs.push(id);
    }
    skippedAsDone++;
    return true;
  };

  const started = performance.now();
  const firstLine = new Map<string, number>();
  /** The items to run, in the input's order; lines that cannot run are answered on the way. */
  async function* runnable(): AsyncGenerator<{ item: Extract<ItemLine, { request: unknown }>; inputHash: string }> {
    for await (const item of readItems(options.input, maxLineBytes)) {
      if (stopping) return;
      if ('error' in item) {
        if (alreadyDone(`line:${item.line}`) || (item.idKey !== undefined && alreadyDone(itemKey(item.idKey))))
          continue;
        errors++;
        summary.addInputError();
        finish(badLineRecord(item), item.rawId);
        continue;
      }
      const earlier = firstLine.get(item.idKey);
      if (earlier !== undefined) {
        if (alreadyDone(`line:${item.line}`)) continue;
        errors++;
        summary.addInputError();
        finish(duplicateIdRecord(item, earlier));
        continue;
      }
      firstLine.set(item.idKey, item.line);
      const inputHash = inputHashOf(item.request);
      if (alreadyDone(itemKey(item.idKey), inputHash, item.id)) continue;
      yield { item, inputHash };
    }
  }
  // Each item read starts at once while fewer than `concurrency` run, else when one ends: no queue in
  // between (p-queue's bookkeeping and read-ahead were a tenth of a replayed item's time), and nothing
  // made per unit of concurrency (runners awaiting the reader each were quadratic in their number).
  let running = 0;
  /** Wakes the reading loop when an item ends. */
  let ended: (() => void) | undefined;
  const oneEnded = () => new Promise<void>((resolve) => (ended = resolve));
  let failure: { error: unknown } | undefined;
  const settle = () => {
    running--;
    const wake = ended;
    ended = undefined;
    wake?.();
  };
  // One function for every item (a closure made per item was kept through its wait).
  const runFailed = (error: unknown) => {
    // Not a failed item (those are written): the run itself cannot go on. Take no more items.
    failure ??= { error };
    stop();
    settle();
  };
  try {
    for await (const { item, inputHash } of runnable()) {
      while (running >= concurrency && !stopping) await oneEnded();
      if (stopping) break;
      running++;
      runItem(item, inputHash).then(settle, runFailed);
    }
  } catch (error) {
    // Reading the input failed: the items in flight are still written, then the error is thrown.
    failure ??= { error };
  }
  while (running > 0) await oneEnded();
  if (failure) throw failure.error;
  // The last lines, and after a failed write one more try for what finished since (space may have been freed).
  try {
    sink.flush();
  } catch (error) {
    if (!(error instanceof OutputWriteError)) throw error;
    writeError ??= error;
  }
  const lost = sink.discardHeld();
  sink.close();
  // A redone item's old line is dropped now that its new one is written.
  if (!writeError && resume.regularFile && resume.superseded + redone > 0) await compactOutput(options.output);
  // Read to its end, the input's total is what was done. A stopped run is not held up reading it again
  // (the file may be gone, or large): its last line shows what was done, without a total.
  if (!stopping) progress.settleTotal(summary.items);
  progress.update({ done: summary.items, costUsd: summary.costUsd, escalated, errors }, true);
  return {
    summary,
    skippedAsDone,
    interrupted: stopping && !writeError,
    wallSeconds: (performance.now() - started) / 1000,
    truncatedBytes: resume.truncatedBytes,
    previouslySpentUsd: resume.spentUsd,
    redone,
    changedInputs,
    ...(lock?.tookOverFrom && { tookOverLock: lock.tookOverFrom }),
    ...(writeError && { writeError: { message: writeError.message, lost } }),
  };
}

function summaryFor(cascade: Cascade): RunSummary {
  const names = cascade.tiers.map((tier) => tier.name);
  return new RunSummary(names, names[names.length - 1]!);
}
