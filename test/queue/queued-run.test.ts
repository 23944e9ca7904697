import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readResultLines, spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const recording = 'fixtures/demo/recorded.jsonl';
const tickets = 'fixtures/demo/tickets.jsonl';

/** Poll `check` until it holds, for at most `limitMs` (a bound, not a timing: it returns as soon as it holds). */
async function until(check: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Each test starts several CLI processes; on a loaded 2-core machine that takes a while. A bound, not a timing.
const processTestMs = 180_000;

describe.skipIf(!hasRedisServer)('cascade run --queue and cascade worker', () => {
  let redis: TestRedis;
  let dir: string;
  const running: SpawnedCli[] = [];
  const start = (args: string[]) => {
    const spawned = spawnCli(args);
    running.push(spawned);
    return spawned;
  };
  /** `cascade run --queue` of the demo's tickets into `output`. */
  const queuedRun = (output: string, ...extra: string[]) =>
    start(['run', 'cascades/demo.yaml', '--queue', redis.url, '--input', tickets, '--output', output, ...extra]);
  const worker = (cascade = 'cascades/demo.yaml') =>
    start(['worker', cascade, '--queue', redis.url, '--replay', recording, '--concurrency', '4']);

  beforeAll(async () => {
    redis = await startTestRedis();
    dir = mkdtempSync(join(tmpdir(), 'fc-queue-'));
  });
  afterEach(async () => {
    for (const spawned of running.splice(0)) {
      spawned.child.kill('SIGKILL');
      await spawned.done;
    }
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'runs the demo on two workers with the results and summary of a local run',
    async () => {
      const local = await spawnCli([
        'run',
        'cascades/demo.yaml',
        '--input',
        tickets,
        '--output',
        join(dir, 'local.jsonl'),
        '--replay',
        recording,
      ]).done;
      expect(local.code).toBe(0);
      worker();
      worker();
      const queued = await queuedRun(join(dir, 'queued.jsonl'), '--budget-usd', '1').done;
      expect(queued.stderr).toContain('run queued-');
      expect(queued.code).toBe(0);
      const byId = (file: string) =>
        new Map(
          readResultLines(file).map((line) => [line.id, { tier: line.tier, cost: line.costUsd, text: line.text }]),
        );
      const queuedResults = byId(join(dir, 'queued.jsonl'));
      expect(queuedResults.size).toBe(30);
      expect(queuedResults).toEqual(byId(join(dir, 'local.jsonl')));
      // The same cost line and tier split as the local run.
      const costLine = (text: string) => text.split('\n').find((line) => line.startsWith('cost:'));
      expect(costLine(queued.stdout)).toBe(costLine(local.stdout));
      expect(queued.stdout).toMatch(/run budget: {4}\$1 \(spent \$0\.004607/);

      // Started again without --resume: refused, naming the way on.
      const again = await queuedRun(join(dir, 'queued.jsonl')).done;
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('pass --resume');
      // --overwrite starts the run afresh: the output again holds each id once.
      const afresh = await queuedRun(join(dir, 'queued.jsonl'), '--overwrite').done;
      expect(afresh.code).toBe(0);
      expect(readResultLines(join(dir, 'queued.jsonl'))).toHaveLength(30);
      expect(byId(join(dir, 'queued.jsonl'))).toEqual(byId(join(dir, 'local.jsonl')));
    },
    processTestMs,
  );

  it(
    'refuses to resume a run under a changed cascade file',
    async () => {
      const copy = join(dir, 'cascades');
      cpSync('cascades', copy, { recursive: true });
      const file = join(copy, 'demo.yaml');
      const output = join(dir, 'changed.jsonl');
      const first = start(['run', file, '--queue', redis.url, '--input', tickets, '--output', output]);
      await until(() => first.child.stderr !== null && /run changed-\w+: 30 items/.test(readStderr(first)));
      first.child.kill('SIGKILL');
      await first.done;
      writeFileSync(file, readFileSync(file, 'utf8').replace('onExhausted: accept-last', 'onExhausted: best-score'));
      const resumed = await start([
        'run',
        file,
        '--queue',
        redis.url,
        '--input',
        tickets,
        '--output',
        output,
        '--resume',
      ]).done;
      expect(resumed.code).toBe(2);
      expect(resumed.stderr).toContain('was started with a different cascade file');
      expect(resumed.stderr).toContain(file);
      // Left behind, its jobs would go to the next test's worker (the same cascade, so the same queue).
      const runId = /run (changed-\w+)/.exec(resumed.stderr)![1]!;
      expect((await spawnCli(['queue', 'cancel', runId, '--queue', redis.url]).done).stdout).toContain('30 jobs');
    },
    processTestMs,
  );

  it(
    'holds a paused run, lets it go on resume, and stops a cancelled one',
    async () => {
      const output = join(dir, 'paused.jsonl');
      const collector = queuedRun(output);
      await until(() => /run (paused-\w+): 30 items/.test(readStderr(collector)));
      const runId = /run (paused-\w+): 30 items/.exec(readStderr(collector))![1]!;
      const paused = await spawnCli(['queue', 'pause', runId, '--queue', redis.url]).done;
      expect(paused.stdout).toContain(`run ${runId}: paused`);
      const taker = worker();
      // The worker takes the jobs and puts them back for later; none is answered.
      const status = async () =>
        JSON.parse((await spawnCli(['queue', 'status', runId, '--queue', redis.url, '--json']).done).stdout);
      await until(async () => (await status()).jobs.delayed > 0);
      expect((await status()).done).toBe(0);
      await spawnCli(['queue', 'resume', runId, '--queue', redis.url]).done;
      const finished = await collector.done;
      expect(finished.code).toBe(0);
      expect(readResultLines(output)).toHaveLength(30);
      taker.child.kill('SIGTERM');
      expect((await taker.done).stdout).toContain('worker stopped: 30 items done');

      // A run cancelled with no worker: its jobs are removed and its collector stops.
      const cancelledOutput = join(dir, 'cancelled.jsonl');
      const second = queuedRun(cancelledOutput);
      await until(() => /run (cancelled-\w+): 30 items/.test(readStderr(second)));
      const cancelledId = /run (cancelled-\w+): 30 items/.exec(readStderr(second))![1]!;
      const cancelled = await spawnCli(['queue', 'cancel', cancelledId, '--queue', redis.url]).done;
      expect(cancelled.stdout).toContain('30 jobs not yet taken were removed');
      const stopped = await second.done;
      expect(stopped.code).toBe(1);
      expect(stopped.stdout).toContain(`run ${cancelledId} was cancelled`);
    },
    processTestMs,
  );
});

const stderrOf = new WeakMap<SpawnedCli, { text: string }>();
function readStderr(spawned: SpawnedCli): string {
  let seen = stderrOf.get(spawned);
  if (!seen) {
    const holder = { text: '' };
    spawned.child.stderr!.on('data', (chunk) => (holder.text += chunk));
    stderrOf.set(spawned, holder);
    seen = holder;
  }
  return seen.text;
}
