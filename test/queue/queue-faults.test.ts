import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResultLines, spawnCli, type SpawnedCli } from '../helpers/spawn-cli.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startBillingOpenAIServer, type BillingServer } from '../helpers/billing-openai-server.js';

/** Poll `check` until it holds, for at most `limitMs` (a bound, not a timing: it returns as soon as it holds). */
async function until(check: () => boolean, limitMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const items = 5000;
const budgetUsd = 1.5;

describe.skipIf(!hasRedisServer)('a queued run through crashes and faults', () => {
  const running: SpawnedCli[] = [];
  let redis: TestRedis | undefined;
  let server: BillingServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fc-queue-faults-'));
  afterAll(async () => {
    for (const spawned of running) {
      spawned.child.kill('SIGKILL');
      await spawned.done;
    }
    await server?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every id once, pays no call twice and stays in budget with workers and the collector killed and Redis restarted', async () => {
    redis = await startTestRedis({ aof: true });
    server = await startBillingOpenAIServer(
      { rateLimit: 0.02, serverError: 0.02, resetBefore: 0.01, resetAfter: 0.01, hang: 0.005 },
      { latencyMs: 20 },
    );
    const cascade = join(dir, 'cascade.yaml');
    const tier = (name: string, input: number, output: number) => `
  - name: ${name}
    provider: openai
    model: ${name}
    baseURL: ${server!.url}/v1
    timeoutMs: 1000
    maxRetries: 8
    params: { maxTokens: 10 }
    pricing: { inputPerMTok: ${input}, outputPerMTok: ${output} }
    gates: [{ type: regex, pattern: "^OK$" }]`;
    writeFileSync(
      cascade,
      `name: queued-faults
tiers:${tier('small', 0.15, 0.6)}${tier('large', 2.5, 10)}
onExhausted: accept-last
retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 100 }
circuitBreaker: { failureThreshold: 100000 }
`,
    );
    const input = join(dir, 'items.jsonl');
    writeFileSync(
      input,
      Array.from({ length: items }, (_, index) =>
        JSON.stringify({ id: `item-${index}`, prompt: `Question ${index}` }),
      ).join('\n') + '\n',
    );
    const output = join(dir, 'results.jsonl');
    const startWorker = () => {
      const spawned = spawnCli(['worker', cascade, '--queue', redis!.url, '--concurrency', '32', '--lock-ms', '2000']);
      running.push(spawned);
      return spawned;
    };
    const startCollector = (resume: boolean) => {
      const spawned = spawnCli([
        'run',
        cascade,
        '--queue',
        redis!.url,
        '--run-id',
        'faults',
        '--input',
        input,
        '--output',
        output,
        '--budget-usd',
        String(budgetUsd),
        ...(resume ? ['--resume'] : []),
      ]);
      running.push(spawned);
      return spawned;
    };
    const kill = async (spawned: SpawnedCli) => {
      spawned.child.kill('SIGKILL');
      await spawned.done;
    };

    const workers = [startWorker(), startWorker(), startWorker(), startWorker()];
    let collector = startCollector(false);
    // Crashes at points of progress (answers billed so far), whatever the machine's speed.
    await until(() => server!.paid >= 700);
    await kill(workers[0]!);
    workers.push(startWorker());
    await until(() => server!.paid >= 2000);
    await kill(collector);
    collector = startCollector(true);
    await until(() => server!.paid >= 3500);
    await kill(workers[1]!);
    workers.push(startWorker());
    await until(() => server!.paid >= 4500);
    await redis.restart();
    const finished = await collector.done;
    // Notices about Redis going away are expected; a stack trace (an uncaught error) is not.
    expect(finished.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(finished.code, finished.stderr.slice(-2000)).toBe(0);

    const results = readResultLines(output);
    const ids = results.map((result) => result.id);
    expect(ids).toHaveLength(items);
    expect(new Set(ids).size).toBe(items);
    // Every answer the server billed is in exactly one result's trace: none was paid twice.
    const tracedCalls = results.reduce(
      (sum, result) =>
        sum +
        result.trace.filter((entry: { skipped?: string; error?: unknown }) => !entry.skipped && !entry.error).length,
      0,
    );
    expect(tracedCalls).toBe(server.paid);
    const spent = results.reduce((sum, result) => sum + result.costUsd, 0);
    expect(spent).toBeLessThanOrEqual(budgetUsd);
    const budgetLine = /spent \$([\d.]+) across all workers/.exec(finished.stdout);
    expect(Number(budgetLine?.[1])).toBeLessThanOrEqual(budgetUsd);
    console.log(
      `queue faults: ${server.paid} calls billed, ${tracedCalls} in traces, ${server.replayed} answered again by idempotency key, ` +
        `${results.reduce((sum, result) => sum + result.trace.filter((entry: { memoised?: boolean }) => entry.memoised).length, 0)} from the memo; ` +
        `results $${spent.toFixed(4)}, budget counted $${budgetLine?.[1]} of $${budgetUsd}`,
    );
  }, 300_000);
});
