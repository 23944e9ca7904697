import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { RunBudget } from '../../src/engine/run-budget.js';
import { completionOf } from '../../src/providers/completion-of.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { readResultLines } from '../helpers/spawn-cli.js';
import { openAIChat } from '../helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

const callCost = (40 * 1 + 10 * 2) / 1e6;

function job(url: string, items: number, tier = '') {
  const folder = tempDir();
  const cascade = join(folder, 'cascade.yaml');
  writeFileSync(
    cascade,
    `name: budget\ntiers:\n  - { name: only, provider: openai, model: m, baseURL: "${url}/v1", pricing: { inputPerMTok: 1, outputPerMTok: 2 }, params: { maxTokens: 32 }${tier} }\n`,
  );
  const input = join(folder, 'items.jsonl');
  const lines = Array.from({ length: items }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `q${index}` }));
  writeFileSync(input, `${lines.join('\n')}\n`);
  return { folder, cascade, input, output: join(folder, 'out.jsonl') };
}

const spentIn = (output: string) => readResultLines(output).reduce((sum, result) => sum + (result.costUsd ?? 0), 0);

describe('the run budget', () => {
  it('is a queue, not a lottery: at concurrency 64 it spends nearly all of the budget and never more', async () => {
    server = await startLoopbackServer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { json: openAIChat('B', { promptTokens: 40, completionTokens: 10 }) };
    });
    const files = job(server.url, 400);
    const budget = (400 * callCost) / 10;
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    const args = ['run', files.cascade, '--input', files.input, '--output', files.output];
    expect(await runCli([...args, '--concurrency', '64', '--budget-usd', String(budget)], io)).toBe(0);
    const spent = spentIn(files.output);
    expect(spent).toBeLessThanOrEqual(budget + 1e-12);
    // Before, an item that could not reserve at that moment was stopped: 2% of the budget was spent.
    expect(spent / budget).toBeGreaterThanOrEqual(0.95);
    expect(readResultLines(files.output).filter((result) => result.stop === 'accepted')).toHaveLength(40 - 1);
  });

  it('waits for room when calls are in flight and refuses only what can no longer fit', async () => {
    const budget = new RunBudget(1);
    expect(budget.reserve(0.7)).toBe(true);
    const waiting = budget.reserveWhenPossible(0.5);
    const never = budget.reserveWhenPossible(2);
    expect(await never).toBe(false);
    budget.settle(0.7, 0.3);
    expect(await waiting).toBe(true);
    budget.settle(0.5, 0.6);
    // Nothing in flight and 0.1 left: a call of 0.2 cannot fit, and is not kept waiting.
    expect(await budget.reserveWhenPossible(0.2)).toBe(false);
  });

  it('carries across resume: the spend of an earlier run on the same output counts', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B', { promptTokens: 40, completionTokens: 10 }) }));
    const files = job(server.url, 60);
    const firstHalf = join(files.folder, 'first.jsonl');
    writeFileSync(
      firstHalf,
      `${Array.from({ length: 20 }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `q${index}` })).join('\n')}\n`,
    );
    const budget = 30 * callCost;
    const run = (input: string) =>
      runCli(
        ['run', files.cascade, '--input', input, '--output', files.output, '--budget-usd', String(budget)],
        captureIo({ OPENAI_API_KEY: 'k' }),
      );
    expect(await run(firstHalf)).toBe(0);
    expect(spentIn(files.output)).toBeCloseTo(20 * callCost, 12);
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(
      await runCli(
        ['run', files.cascade, '--input', files.input, '--output', files.output, '--budget-usd', String(budget)],
        io,
      ),
    ).toBe(0);
    // Before, the resumed run had the whole budget again: 50 answered, 166% of it spent.
    expect(spentIn(files.output)).toBeLessThanOrEqual(budget + 1e-12);
    expect(readResultLines(files.output).filter((result) => result.stop === 'accepted').length).toBeGreaterThanOrEqual(
      29,
    );
    expect(io.out()).toContain('by earlier runs on this output');
  });

  it('charges embeddings to the run budget', async () => {
    server = await startLoopbackServer((incoming) =>
      incoming.path === '/v1/embeddings'
        ? {
            json: {
              object: 'list',
              model: 'text-embedding-3-small',
              data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8] }],
              usage: { prompt_tokens: 1000, total_tokens: 1000 },
            },
          }
        : { json: openAIChat('B', { promptTokens: 40, completionTokens: 10 }) },
    );
    const cascade = await createCascade(
      {
        name: 'c',
        cache: {
          namespace: 'n',
          semantic: {
            embedder: { provider: 'openai', model: 'text-embedding-3-small', baseURL: `${server.url}/v1` },
            threshold: 0.9,
          },
        },
        tiers: [
          {
            name: 'only',
            provider: 'openai',
            model: 'm',
            baseURL: `${server.url}/v1`,
            pricing: { inputPerMTok: 1, outputPerMTok: 2 },
          },
        ],
      },
      { env: { OPENAI_API_KEY: 'k' } },
    );
    const runBudget = new RunBudget(1);
    const result = await cascade.run({ messages: [{ role: 'user', content: 'q' }] }, { runBudget });
    cascade.close();
    const embedCost = (1000 * 0.02) / 1e6;
    expect(result.cache?.embedCostUsd).toBeCloseTo(embedCost, 15);
    expect(runBudget.spent).toBeCloseTo(callCost + embedCost, 15);
  });
});

describe('usage figures', () => {
  const request = {
    messages: [{ role: 'user' as const, content: 'What is the capital of France?' }],
    params: { maxTokens: 50 },
  };
  const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
  it.each([
    ['a negative count', -1e9, 5],
    ['NaN as a string', 'NaN', 5],
    ['no count at all', undefined, undefined],
    ['Infinity', Infinity, 5],
  ])(
    'with %s are counted with the tokenizer, never negative or free, and the trace says so',
    (_name, input, output) => {
      const completion = completionOf({
        text: 'Paris',
        label: 'openai m',
        model: 'm',
        request,
        inputTokens: input,
        outputTokens: output,
        pricing,
        latencyMs: 1,
      });
      expect(completion.usage.inputTokens).toBeGreaterThan(5);
      expect(completion.usage.outputTokens).toBeGreaterThan(0);
      expect(completion.costUsd).toBeGreaterThan(0);
      expect(completion.usageEstimated).toMatch(/input tokens (reported as|not reported).*o200k/);
    },
  );

  it('over the wire: one reply of prompt_tokens -1e9 does not switch the budget off', async () => {
    server = await startLoopbackServer((_request, index) => ({
      json: openAIChat('B', { promptTokens: index === 0 ? -1e9 : 40, completionTokens: 10 }),
    }));
    const files = job(server.url, 100);
    const budget = 20 * callCost;
    expect(
      await runCli(
        [
          'run',
          files.cascade,
          '--input',
          files.input,
          '--output',
          files.output,
          '--concurrency',
          '1',
          '--budget-usd',
          String(budget),
        ],
        captureIo({ OPENAI_API_KEY: 'k' }),
      ),
    ).toBe(0);
    const results = readResultLines(files.output);
    expect(results.every((result) => (result.costUsd ?? 0) >= 0)).toBe(true);
    expect(spentIn(files.output)).toBeLessThanOrEqual(budget + 1e-12);
    expect(results.filter((result) => result.stop === 'accepted').length).toBeLessThanOrEqual(21);
    expect(results.find((result) => result.trace?.[0]?.usageEstimated)?.trace[0].usageEstimated).toContain(
      '-1000000000',
    );
  });
});

describe('calls that may have been billed', () => {
  it('a try that timed out is charged its worst case, in the trace and the budget', async () => {
    server = await startLoopbackServer((_request, index) =>
      index === 0 ? { hang: true } : { json: openAIChat('B', { promptTokens: 40, completionTokens: 10 }) },
    );
    const cascade = await createCascade(
      {
        name: 'c',
        retry: { baseDelayMs: 0, maxDelayMs: 0 },
        tiers: [
          {
            name: 'only',
            provider: 'openai',
            model: 'm',
            baseURL: `${server.url}/v1`,
            // The hanging try times out; the answering one, even on a busy machine, does not.
            timeoutMs: 2000,
            maxRetries: 1,
            pricing: { inputPerMTok: 1, outputPerMTok: 2 },
            params: { maxTokens: 100 },
          },
        ],
      },
      { env: { OPENAI_API_KEY: 'k' } },
    );
    const runBudget = new RunBudget(1);
    const result = await cascade.run({ messages: [{ role: 'user', content: 'q' }] }, { runBudget });
    const entry = result.trace[0]!;
    expect(entry.retries).toBe(1);
    // Worst case of the timed-out try: its prompt and the full 100-token allowance.
    expect(entry.possiblyBilledUsd).toBeGreaterThan((100 * 2) / 1e6);
    expect(entry.costUsd).toBeCloseTo(callCost + entry.possiblyBilledUsd!, 15);
    expect(runBudget.spent).toBeCloseTo(entry.costUsd, 15);
  });
});

describe('the run summary', () => {
  it('warns when a tier has no known price instead of calling the run free', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B', { promptTokens: 40, completionTokens: 10 }) }));
    const folder = tempDir();
    const cascade = join(folder, 'cascade.yaml');
    writeFileSync(
      cascade,
      `name: unpriced\ntiers:\n  - { name: new, provider: openai, model: brand-new-model, baseURL: "${server.url}/v1" }\n`,
    );
    const input = join(folder, 'items.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 'a', prompt: 'q' })}\n`);
    const io = captureIo();
    expect(await runCli(['run', cascade, '--input', input, '--output', join(folder, 'out.jsonl')], io)).toBe(0);
    expect(io.out()).toContain('unpriced:      no price is known for brand-new-model (tier "new")');
  });
});
