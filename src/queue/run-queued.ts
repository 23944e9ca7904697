import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { Cascade } from '../engine/cascade.js';
import { ConfigError } from '../errors/index.js';
import { sha256 } from '../common/canonical-json.js';
import { inputHashOf } from '../batch/run-batch.js';
import { badLineRecord, duplicateIdRecord } from '../batch/result-record.js';
import { RunSummary } from '../batch/run-summary.js';
import type { RunReporting } from '../batch/run-reporting.js';
import { Progress } from '../batch/progress.js';
import { countItems, defaultMaxLineBytes, readItems } from '../batch/read-items.js';
import { itemKey, prepareResume, type ResumeState } from '../output/resume.js';
import { type ResultSink, withResultSink } from '../output/result-sink.js';
import { OutputLock } from '../output/output-lock.js';
import type { CascadeResult } from '../spec/result.js';
import { cascadeFingerprint } from './cascade-fingerprint.js';
import type { ItemJob, ItemOutcome } from './job-data.js';
import { connectRedis, redactedRedisUrl } from './redis-connection.js';
import { setBudgetLimit } from './redis-budget.js';
import { checkRunId, jobIdOf, queueNameOf, runKeys } from './run-keys.js';
import { readRun, setRunStatus, writeRun, type RunRecord } from './run-record.js';
import { deleteRun } from './run-control.js';
import { retryAborted, throwFirstError } from './retry-aborted.js';

/** `stopSignal` stops collecting; the jobs stay queued for the workers, and `--resume` collects them later. */
export interface QueuedRunOptions extends RunReporting {
  cascadeFile: string;
  redisUrl: string;
  input: string;
  output: string;
  /** Names the run in Redis. @default the output file's name and a digest of its absolute path */
  runId?: string;
  budgetUsd?: number;
  deadlineMs?: number;
  /** Pick up a run whose collector stopped. */
  resume?: boolean;
  /** Delete the run (its jobs, results and budget) and the output, and start afresh. */
  overwrite?: boolean;
  maxLineBytes?: number;
  /** Say "no worker" after this long without a result. @default 15000 */
  idleNoticeMs?: number;
}

export interface QueuedRunOutcome {
  runId: string;
  queue: string;
  summary: RunSummary;
  skippedAsDone: number;
  enqueued: number;
  interrupted: boolean;
  cancelled: boolean;
  wallSeconds: number;
  budget?: { limitUsd: number; spentUsd: number };
  tookOverLock?: { pid: number; host: string; started: string };
}

/** `results/run.jsonl` runs as `run-1a2b3c4d`: readable, and the same for the same output file. */
export function defaultRunId(output: string): string {
  const name =
    basename(output)
      .replace(/\.[^.]*$/, '')
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .slice(0, 40) || 'run';
  return `${name}-${sha256(resolve(output)).slice(0, 8)}`;
}

/**
 * `cascade run --queue`: enqueue the items as the jobs of one run (the same run and item always give the
 * same job id, so enqueuing twice adds nothing), then write each result to the output once as the
 * workers finish them. The output is locked and resumable as in a local run; the run's budget is in
 * Redis, shared by all its workers.
 */
export async function runQueued(cascade: Cascade, options: QueuedRunOptions): Promise<QueuedRunOutcome> {
  if (options.output === '-') throw new ConfigError('`--queue` writes to a file: give `--output <file.jsonl>`');
  const runId = checkRunId(options.runId ?? defaultRunId(options.output));
  const fingerprint = await cascadeFingerprint(options.cascadeFile);
  const queueName = queueNameOf(cascade.name, fingerprint);
  const redis = await connectRedis(options.redisUrl, { onNotice: (message) => options.log(`${message}\n`) });
  const { Queue } = await import('bullmq');
  const queue = new Queue<ItemJob>(queueName, { connection: redis });
  // Connection errors (Redis restarting) reach the commands that wait on it; the events alone are not news.
  queue.on('error', () => undefined);
  const reader = redis.duplicate();
  reader.on('error', () => undefined);
  try {
    const existing = await readRun(redis, runId);
    if (existing && options.overwrite) await deleteRun(redis, existing);
    else if (existing) refuseOrResume(existing, fingerprint, options, runId);
    const run: RunRecord =
      existing && !options.overwrite
        ? { ...existing, status: existing.status === 'finished' ? 'running' : existing.status }
        : {
            runId,
            status: 'running',
            fingerprint,
            queue: queueName,
            cascade: cascade.name,
            cascadeFile: resolve(options.cascadeFile),
            input: resolve(options.input),
            output: resolve(options.output),
            total: 0,
            createdAt: new Date().toISOString(),
          };
    if (options.budgetUsd !== undefined) run.budgetUsd = options.budgetUsd;
    if (options.deadlineMs !== undefined) run.deadlineMs = options.deadlineMs;
    // The budget exists before the run is visible to workers, so none runs an item without it.
    if (run.budgetUsd !== undefined) await setBudgetLimit(redis, runId, run.budgetUsd);
    await writeRun(redis, run);

    mkdirSync(dirname(resolve(options.output)), { recursive: true });
    if (existsSync(options.output) && !statSync(options.output).isFile())
      throw new ConfigError(`--output: ${options.output} is not a regular file; a queued run needs one to resume`);
    const lock = OutputLock.acquire(options.output);
    try {
      if (options.overwrite) {
        rmSync(options.output, { force: true });
      }
      return await collect(cascade, options, {
        redis,
        reader,
        queue,
        run,
        lock,
        resumed: existing !== undefined && !options.overwrite,
      });
    } finally {
      lock.release();
    }
  } finally {
    await queue.close().catch(() => undefined);
    reader.disconnect();
    redis.disconnect();
  }
}

function refuseOrResume(existing: RunRecord, fingerprint: string, options: QueuedRunOptions, runId: string): void {
  if (existing.fingerprint !== fingerprint)
    throw new ConfigError(
      `${options.cascadeFile}: run ${runId} was started with a different cascade file (${existing.cascadeFile}, fingerprint ${existing.fingerprint.slice(0, 12)}; this one is ${fingerprint.slice(0, 12)}). Its results must all come from one cascade: put the file back, or start a new run with --run-id <name> (or --overwrite to start this one afresh).`,
      { file: options.cascadeFile, field: '--run-id' },
    );
  if (existing.status === 'cancelled')
    throw new ConfigError(
      `run ${runId} was cancelled; start it afresh with --overwrite, or a new run with --run-id <name>`,
      { field: '--run-id' },
    );
  if (!options.resume)
    throw new ConfigError(
      `run ${runId} is already in Redis (${existing.status}, started ${existing.createdAt}): pass --resume to pick it up, --overwrite to start afresh, or --run-id <name> for a new run`,
      { field: '--resume' },
    );
}

interface Connections {
  redis: Redis;
  reader: Redis;
  queue: Queue<ItemJob>;
  run: RunRecord;
  lock: OutputLock;
  /** The run was in Redis already: its jobs may have run before, so workers read the memo first. */
  resumed: boolean;
}

async function collect(cascade: Cascade, options: QueuedRunOptions, parts: Connections): Promise<QueuedRunOutcome> {
  const resume = await prepareResume(options.output);
  return withResultSink(
    options.output,
    () => undefined,
    (sink) => collectInto(sink, resume, cascade, options, parts),
  );
}

async function collectInto(
  sink: ResultSink,
  resume: ResumeState,
  cascade: Cascade,
  options: QueuedRunOptions,
  parts: Connections,
): Promise<QueuedRunOutcome> {
  const { redis, reader, queue, run } = parts;
  const keys = runKeys(run.runId);
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  const names = cascade.tiers.map((tier) => tier.name);
  const summary = new RunSummary(names, names[names.length - 1]!);
  const written = new Set(resume.done.keys());
  const expected = new Set<string>();
  let escalated = 0;
  let errors = 0;
  let stopping = false;
  let cancelled = false;
  options.stopSignal?.onStop(() => {
    stopping = true;
  });
  const started = performance.now();

  const total = await countItems(options.input, maxLineBytes);
  const progress = new Progress(
    options.log,
    options.isTerminal,
    total === undefined ? undefined : Math.max(0, total - written.size),
  );
  const update = (final = false) =>
    progress.update(
      {
        done: summary.items,
        costUsd: summary.costUsd,
        escalated,
        errors,
      },
      final,
    );

  let collected = 0;
  const writeOutcome = (outcome: ItemOutcome & { topTierUsd?: number; failure?: string }) => {
    // A job of the run this one replaced (--overwrite) that finished late is not this run's result.
    if (outcome.generation !== undefined && outcome.generation !== run.createdAt) return;
    if (written.has(outcome.itemKey)) return;
    written.add(outcome.itemKey);
    if (expected.has(outcome.itemKey)) collected++;
    sink.write(outcome.record, outcome.rawId);
    const result = outcome.record as unknown as CascadeResult;
    if (outcome.failure) {
      errors++;
      summary.addFailure(outcome.failure);
    } else {
      summary.add(result, outcome.topTierUsd ?? 0);
      if (result.trace.length > 1) escalated++;
      if (result.stop === 'error') errors++;
    }
  };

  // Results finished while no collector was running are written first, so none is enqueued again.
  let lastId = '0';
  const readBatch = async (blockMs: number | undefined): Promise<number> => {
    const reply = (
      blockMs === undefined
        ? await reader.xread('COUNT', 500, 'STREAMS', keys.results, lastId)
        : await reader.xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', keys.results, lastId)
    ) as [string, [string, string[]][]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    for (const [id, fields] of entries) {
      lastId = id;
      const text = fields[fields.indexOf('outcome') + 1];
      if (text !== undefined) writeOutcome(JSON.parse(text) as ItemOutcome);
    }
    // Written to the output (in one write(2)) before they leave Redis.
    sink.flush();
    if (entries.length > 0)
      await retryAborted(() =>
        redis
          .pipeline()
          // Everything up to the last entry read, in one short command (entries are read in id order).
          .xtrim(keys.results, 'MINID', nextStreamId(lastId))
          .hset(keys.meta, 'collected', String(written.size))
          .exec()
          .then(throwFirstError),
      );
    return entries.length;
  };
  while ((await readBatch(undefined)) > 0);

  // Enqueue what is not done yet; ids already queued or running are left as they are.
  let skippedAsDone = 0;
  const firstLine = new Map<string, number>();
  let batch: { name: string; data: ItemJob; opts: { jobId: string } }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const jobs = batch.map((job) => ({
      ...job,
      opts: { ...job.opts, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true },
    }));
    // Rerun after an aborted pipeline: adding a job id still queued adds nothing. A job of the first try
    // that a worker finished (and removed) before the retry runs again, but its calls come from the
    // run's memo of paid calls and its second result is skipped as written.
    await retryAborted(() => queue.addBulk(jobs));
    batch = [];
  };
  for await (const item of readItems(options.input, maxLineBytes)) {
    if (stopping) break;
    if ('error' in item) {
      const key = item.idKey !== undefined ? itemKey(item.idKey) : `line:${item.line}`;
      if (written.has(key) || written.has(`line:${item.line}`)) {
        skippedAsDone++;
        continue;
      }
      written.add(key);
      summary.addInputError();
      errors++;
      sink.write(badLineRecord(item), item.rawId);
      continue;
    }
    const key = itemKey(item.idKey);
    const earlier = firstLine.get(item.idKey);
    if (earlier !== undefined) {
      if (written.has(`line:${item.line}`)) continue;
      written.add(`line:${item.line}`);
      summary.addInputError();
      errors++;
      sink.write(duplicateIdRecord(item, earlier));
      continue;
    }
    firstLine.set(item.idKey, item.line);
    if (written.has(key)) {
      skippedAsDone++;
      continue;
    }
    expected.add(key);
    batch.push({
      name: 'item',
      data: {
        runId: run.runId,
        generation: run.createdAt,
        itemKey: key,
        id: item.id,
        rawId: item.rawId,
        request: item.request,
        extra: item.extra,
        inputHash: inputHashOf(item.request),
        ...(parts.resumed && { mayHaveRun: true }),
      },
      opts: { jobId: jobIdOf(run.runId, key) },
    });
    if (batch.length >= 500) await flush();
  }
  await flush();
  sink.flush();
  await redis.hset(keys.meta, 'total', String(expected.size + skippedAsDone));
  options.log(
    `run ${run.runId}: ${expected.size} items on queue ${run.queue} at ${redactedRedisUrl(options.redisUrl)}${skippedAsDone > 0 ? ` (${skippedAsDone} already in ${options.output})` : ''}; workers: cascade worker ${options.cascadeFile} --queue ${redactedRedisUrl(options.redisUrl)}\n`,
  );

  const remaining = () => expected.size - collected;
  let outstanding = remaining();
  let lastProgress = performance.now();
  let lastCheck = performance.now();
  let saidIdle = false;
  const idleNoticeMs = options.idleNoticeMs ?? 15_000;
  while (outstanding > 0 && !stopping) {
    const got = await readBatch(1000);
    if (got > 0) {
      lastProgress = performance.now();
      outstanding = remaining();
      update();
      continue;
    }
    if (performance.now() - lastCheck < 2000) continue;
    lastCheck = performance.now();
    const status = (await redis.hget(keys.meta, 'status')) ?? 'running';
    if (status === 'cancelled') {
      cancelled = true;
      break;
    }
    await retryAborted(() => writeFailedJobs(queue, run.runId, expected, written, writeOutcome, () => sink.flush()));
    outstanding = remaining();
    if (!saidIdle && status === 'running' && performance.now() - lastProgress > idleNoticeMs) {
      const workers = await queue.getWorkersCount().catch(() => -1);
      if (workers === 0) {
        saidIdle = true;
        options.log(
          `\nno worker is taking jobs from queue ${run.queue}: start one with \`cascade worker ${options.cascadeFile} --queue ${redactedRedisUrl(options.redisUrl)}\`\n`,
        );
      }
    }
  }
  sink.close();
  update(true);
  const finished = outstanding === 0 && !cancelled;
  if (finished) {
    await setRunStatus(redis, run.runId, 'finished');
    // A finished run's keys go after a week; its memo of paid calls is no longer needed by then.
    const week = 7 * 24 * 3600;
    await retryAborted(() =>
      redis.multi().expire(keys.meta, week).expire(keys.budget, week).del(keys.results).exec().then(throwFirstError),
    );
  }
  const budgetFields = run.budgetUsd === undefined ? undefined : await redis.hgetall(keys.budget);
  return {
    runId: run.runId,
    queue: run.queue,
    summary,
    skippedAsDone,
    enqueued: expected.size,
    interrupted: stopping,
    cancelled,
    wallSeconds: (performance.now() - started) / 1000,
    ...(budgetFields && {
      budget: { limitUsd: Number(budgetFields['limit']), spentUsd: Number(budgetFields['spent'] ?? 0) },
    }),
    ...(parts.lock.tookOverFrom && { tookOverLock: parts.lock.tookOverFrom }),
  };
}

/** Jobs of this run that BullMQ gave up on (their attempts spent) are written as errors, once, and removed. */
async function writeFailedJobs(
  queue: Queue<ItemJob>,
  runId: string,
  expected: Set<string>,
  written: Set<string>,
  writeOutcome: (outcome: ItemOutcome & { failure?: string }) => void,
  flush: () => void,
): Promise<void> {
  const failed = await queue.getJobs(['failed'], 0, 999);
  for (const job of failed) {
    const data = job?.data;
    if (!data || data.runId !== runId || !expected.has(data.itemKey) || written.has(data.itemKey)) continue;
    writeOutcome({
      itemKey: data.itemKey,
      rawId: data.rawId,
      record: {
        id: data.id,
        ...data.extra,
        stop: 'error',
        error: `the job failed ${job.attemptsMade} times on the workers: ${job.failedReason ?? 'no reason given'}`,
        inputHash: data.inputHash,
      },
      failure: 'QueueJobFailed',
    });
    // Written to the output before the job leaves Redis, as a finished result is.
    flush();
    await job.remove().catch(() => undefined);
  }
}

/** The stream id just after `id` (`<ms>-<seq>`): trimming to it drops `id` and everything before. */
function nextStreamId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq ?? 0) + 1}`;
}
