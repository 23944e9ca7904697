import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { Cascade } from '../engine/cascade.js';
import { RunBudget } from '../engine/run-budget.js';
import { AbortedError } from '../errors/index.js';
import { RunSummary } from './run-summary.js';
import { topTierCostUsd } from './top-tier-cost.js';
import { loadTokenizer } from '../tokens/count-tokens.js';
import { Progress } from './progress.js';
import { readItems, countItems, defaultMaxLineBytes, type ItemLine } from './read-items.js';
import { prepareResume, resultKey } from '../output/resume.js';
import { ResultSink } from '../output/result-sink.js';
import { runRecorded, type Recording } from '../record/run-recorded.js';

export interface BatchOptions {
  input: string;
  output: string;
  /** Items in flight at once. @default 8 */
  concurrency?: number;
  /** A limit on the whole run's spending. */
  budgetUsd?: number;
  /** Refuse the whole input, before any call, if a line is bad. */
  strict?: boolean;
  maxLineBytes?: number;
  /** Where progress and notices go. */
  log: (text: string) => void;
  /** Where results go when `output` is `-`. */
  stdout: (text: string) => void;
  isTerminal: boolean;
  /** Fired once to stop taking items, twice to cancel calls in flight. */
  stopSignal?: { onStop(handler: (count: number) => void): void };
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
}

/**
 * Run a file of items through the cascade on a p-queue, writing each result as it finishes. Running it
 * again with the same output skips the items already written, so a killed run resumes without losing
 * or repeating an item.
 */
export async function runBatch(cascade: Cascade, options: BatchOptions): Promise<BatchOutcome> {
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  if (options.strict) {
    const errors: string[] = [];
    const seen = new Map<string, number>();
    for await (const item of readItems(options.input, maxLineBytes)) {
      if ('error' in item) errors.push(item.error);
      else if (seen.has(item.id))
        errors.push(`line ${item.line}: duplicate id "${item.id}" (first on line ${seen.get(item.id)})`);
      else seen.set(item.id, item.line);
    }
    if (errors.length > 0)
      return {
        summary: summaryFor(cascade),
        skippedAsDone: 0,
        interrupted: false,
        strictErrors: errors,
        wallSeconds: 0,
        truncatedBytes: 0,
      };
  }

  const resume =
    options.output === '-' ? { done: new Set<string>(), truncatedBytes: 0 } : prepareResume(options.output);
  const sink = new ResultSink(options.output, options.stdout);
  const summary = summaryFor(cascade);
  const runBudget = options.budgetUsd === undefined ? undefined : new RunBudget(options.budgetUsd);
  if (runBudget) loadTokenizer();
  const concurrency = options.concurrency ?? 8;
  const queue = new PQueue({ concurrency });
  const inFlight = new AbortController();
  // Every call in flight listens to it: as many listeners as the concurrency, by design.
  setMaxListeners(0, inFlight.signal);
  const total = await countItems(options.input);
  const progress = new Progress(
    options.log,
    options.isTerminal,
    total === undefined ? undefined : total - resume.done.size,
  );
  let escalated = 0;
  let errors = 0;
  let stopping = false;
  let skippedAsDone = 0;
  options.stopSignal?.onStop((count) => {
    stopping = true;
    queue.clear();
    if (count >= 2) inFlight.abort();
  });

  const finish = (record: Record<string, unknown>) => {
    sink.write(record);
    progress.update({ done: summary.items, total, costUsd: summary.costUsd, escalated, errors });
  };

  const runItem = async (item: Extract<ItemLine, { request: unknown }>) => {
    try {
      const runOptions = { signal: inFlight.signal, ...(runBudget && { runBudget }) };
      const result = await runRecorded(cascade, item.id, item.request, runOptions, options.recording ?? {});
      summary.add(result, topTierCostUsd(cascade, item.request, result));
      if (result.trace.length > 1) escalated++;
      if (result.stop === 'error') errors++;
      finish({ id: item.id, ...item.extra, ...result });
    } catch (error) {
      // Cancelled by a second signal: left unwritten, so the next run does it.
      if (error instanceof AbortedError) return;
      errors++;
      summary.addFailure(error instanceof Error ? error.name : 'unknown');
      finish({
        id: item.id,
        ...item.extra,
        stop: 'error',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const started = performance.now();
  const firstLine = new Map<string, number>();
  for await (const item of readItems(options.input, maxLineBytes)) {
    if (stopping) break;
    if ('error' in item) {
      const key = `line:${item.line}`;
      if (resume.done.has(key) || (item.id !== undefined && resume.done.has(`id:${item.id}`))) {
        skippedAsDone++;
        continue;
      }
      errors++;
      summary.addInputError();
      finish({ ...(item.id !== undefined && { id: item.id }), line: item.line, stop: 'error', error: item.error });
      continue;
    }
    const earlier = firstLine.get(item.id);
    if (earlier !== undefined) {
      if (resume.done.has(`line:${item.line}`)) {
        skippedAsDone++;
        continue;
      }
      errors++;
      summary.addInputError();
      // No `id` field: the first line with this id owns it, so ids stay unique in the output.
      finish({
        line: item.line,
        duplicateId: item.id,
        stop: 'error',
        error: `line ${item.line}: duplicate id "${item.id}" (first on line ${earlier})`,
      });
      continue;
    }
    firstLine.set(item.id, item.line);
    if (resume.done.has(resultKey({ id: item.id })!)) {
      skippedAsDone++;
      continue;
    }
    await queue.onSizeLessThan(concurrency * 2);
    if (stopping) break;
    void queue.add(() => runItem(item));
  }
  await queue.onIdle();
  sink.close();
  progress.update({ done: summary.items, total, costUsd: summary.costUsd, escalated, errors }, true);
  return {
    summary,
    skippedAsDone,
    interrupted: stopping,
    wallSeconds: (performance.now() - started) / 1000,
    truncatedBytes: resume.truncatedBytes,
  };
}

function summaryFor(cascade: Cascade): RunSummary {
  const names = cascade.tiers.map((tier) => tier.name);
  return new RunSummary(names, names[names.length - 1]!);
}
