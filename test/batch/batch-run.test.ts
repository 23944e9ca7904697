import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { prepareResume } from '../../src/output/resume.js';
import { runCli } from '../../src/cli/program.js';
import { runCommand } from '../../src/cli/run-command.js';
import { RunBudget } from '../../src/engine/run-budget.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { readResultLines } from '../helpers/spawn-cli.js';
import { openAIChat } from '../helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

const demo = ['cascades/demo.yaml', '--replay', 'fixtures/demo/recorded.jsonl'];

describe('resume', () => {
  it('cuts a torn last line and counts the complete ones as done', async () => {
    const file = join(tempDir(), 'results.jsonl');
    writeFileSync(file, `{"id":"a","stop":"accepted"}\n{"line":4,"stop":"error"}\n{"id":"c","stop":"acc`);
    const state = await prepareResume(file);
    expect([...state.done.keys()]).toEqual(['id:"a"', 'line:4']);
    expect(state.truncatedBytes).toBe('{"id":"c","stop":"acc'.length);
    expect(readFileSync(file, 'utf8')).toBe('{"id":"a","stop":"accepted"}\n{"line":4,"stop":"error"}\n');
  });

  it('skips what an earlier run wrote and finishes the rest, each id once', async () => {
    const output = join(tempDir(), 'results.jsonl');
    const tickets = readFileSync('fixtures/demo/tickets.jsonl', 'utf8').trim().split('\n');
    const firstHalf = join(tempDir(), 'half.jsonl');
    writeFileSync(firstHalf, `${tickets.slice(0, 12).join('\n')}\n`);
    expect(await runCli(['run', ...demo, '--input', firstHalf, '--output', output], captureIo())).toBe(0);
    // A crash mid-write leaves a torn line behind.
    writeFileSync(output, `${readFileSync(output, 'utf8')}{"id":"T-1013","text":"{\\"categ`);
    const io = captureIo();
    expect(await runCli(['run', ...demo, '--input', 'fixtures/demo/tickets.jsonl', '--output', output], io)).toBe(0);
    expect(io.out()).toContain('resumed:       12 items already');
    expect(io.out()).toContain('a torn last line');
    const ids = readResultLines(output).map((result) => result.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('starts afresh with --overwrite', async () => {
    const output = join(tempDir(), 'results.jsonl');
    await runCli(['run', ...demo, '--input', 'fixtures/demo/tickets.jsonl', '--output', output], captureIo());
    await runCli(
      ['run', ...demo, '--input', 'fixtures/demo/tickets.jsonl', '--output', output, '--overwrite'],
      captureIo(),
    );
    expect(readResultLines(output)).toHaveLength(30);
  });
});

describe('bad input', () => {
  function badInput(): string {
    const file = join(tempDir(), 'items.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          id: 'T-1001',
          prompt: 'Ticket T-1001: I was charged twice for my March invoice. Please refund the duplicate charge of $49.',
        }),
        JSON.stringify({ id: 'T-1001', prompt: 'again' }),
        JSON.stringify({ id: 'long', prompt: 'x'.repeat(3000) }),
      ].join('\n'),
    );
    return file;
  }

  it('writes a duplicate id and an over-long line as errors with their line numbers, keeping ids unique', async () => {
    const output = join(tempDir(), 'out.jsonl');
    expect(
      await runCli(
        ['run', ...demo, '--input', badInput(), '--output', output, '--max-line-bytes', '2000'],
        captureIo(),
      ),
    ).toBe(0);
    const results = readResultLines(output).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    expect(results.filter((result) => result.id === 'T-1001')).toHaveLength(1);
    expect(results).toContainEqual(
      expect.objectContaining({
        line: 2,
        duplicateId: 'T-1001',
        stop: 'error',
        error: 'line 2: duplicate id "T-1001" (first on line 1)',
      }),
    );
    expect(results).toContainEqual(
      expect.objectContaining({ line: 3, stop: 'error', error: expect.stringContaining('over the limit of 2000') }),
    );
  });

  it('--strict refuses the input before any call', async () => {
    const output = join(tempDir(), 'out.jsonl');
    const io = captureIo();
    expect(
      await runCli(
        ['run', ...demo, '--input', badInput(), '--output', output, '--strict', '--max-line-bytes', '2000'],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toContain('--strict refused the input; nothing was run');
    expect(io.err()).toContain('line 2: duplicate id "T-1001"');
  });

  it('reads stdin-style input from a file argument and writes results to stdout with -', async () => {
    const io = captureIo();
    expect(await runCli(['run', ...demo, '--input', 'fixtures/demo/tickets.jsonl', '--output', '-'], io)).toBe(0);
    expect(io.out().trim().split('\n')).toHaveLength(30);
    expect(io.err()).toContain('results:       (stdout)');
  });

  it('runBatch refuses a concurrency below 1 or fractional before it touches the output, and takes any other', async () => {
    const { loadCascadeFile } = await import('../../src/config/load-cascade.js');
    const { runBatch } = await import('../../src/batch/run-batch.js');
    const cascade = await loadCascadeFile('cascades/demo.yaml', { replay: 'fixtures/demo/recorded.jsonl' });
    const output = join(tempDir(), 'out.jsonl');
    writeFileSync(output, '{"id":"T-1001","stop":"accepted"}\n');
    const options = { input: 'fixtures/demo/tickets.jsonl', output, overwrite: true, stdout: () => undefined };
    const quiet = { log: () => undefined, isTerminal: false };
    for (const concurrency of [0, -1, 2.5, Number.NaN])
      await expect(runBatch(cascade, { ...options, ...quiet, concurrency })).rejects.toThrow(
        `concurrency: expected a whole number of 1 or more (or Infinity), got ${concurrency}`,
      );
    expect(readFileSync(output, 'utf8')).toBe('{"id":"T-1001","stop":"accepted"}\n');
    const outcome = await runBatch(cascade, { ...options, ...quiet, concurrency: 3 });
    expect(outcome.summary.items).toBe(30);
    expect(readResultLines(output)).toHaveLength(30);
    // A failure of the run itself (here, where results go) takes no more items and is thrown once those in flight end.
    let written = 0;
    const failing = {
      ...options,
      ...quiet,
      output: '-',
      concurrency: 4,
      stdout: () => {
        // Gone for two writes: the item's result, then the error line written in its place.
        if (++written === 3 || written === 4) throw new Error('stdout is gone');
      },
    };
    await expect(runBatch(cascade, failing)).rejects.toThrow('stdout is gone');
    expect(written).toBeLessThan(10);
    // A pipe given as the input (a FIFO here) is read once, by the run: not counted first, which drained it.
    const fifo = join(tempDir(), 'items.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = createWriteStream(fifo);
    writer.end(readFileSync('fixtures/demo/tickets.jsonl'));
    const piped = await runBatch(cascade, { ...options, ...quiet, input: fifo, isTerminal: true });
    expect(piped.summary.items).toBe(30);
    expect(readResultLines(output)).toHaveLength(30);
    // Nothing is made per unit of concurrency: a hundred million, or no limit, on 30 items.
    for (const concurrency of [100_000_000, Infinity]) {
      const wide = await runBatch(cascade, { ...options, ...quiet, concurrency });
      expect(wide.summary.items).toBe(30);
      expect(readResultLines(output)).toHaveLength(30);
    }
  });
});

describe('run budget and graceful stop', () => {
  it('never lets reservations and spending pass the limit', () => {
    const budget = new RunBudget(1);
    expect(budget.reserve(0.6)).toBe(true);
    expect(budget.reserve(0.5)).toBe(false);
    budget.settle(0.6, 0.1);
    expect(budget.reserve(0.5)).toBe(true);
    expect(budget.remaining).toBeCloseTo(0.4, 12);
  });

  it('on SIGINT takes no new items, finishes those in flight, and exits 130; the rerun completes the job', async () => {
    const signals = new EventEmitter();
    // SIGINT once some calls are in flight, however fast or slow the machine gets there.
    server = await startLoopbackServer(async (_request, index) => {
      if (index === 8) signals.emit('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { json: openAIChat('B') };
    });
    const folder = tempDir();
    const cascade = join(folder, 'cascade.yaml');
    writeFileSync(
      cascade,
      `name: slow\ntiers:\n  - { name: only, provider: openai, model: m, baseURL: "${server.url}/v1" }\n`,
    );
    const input = join(folder, 'items.jsonl');
    writeFileSync(
      input,
      Array.from({ length: 200 }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `q${index}` })).join('\n'),
    );
    const output = join(folder, 'out.jsonl');
    const io = captureIo();
    const code = await runCommand(cascade, { input, output, concurrency: '4' }, io, signals);
    expect(code).toBe(130);
    expect(io.err()).toContain('SIGINT: taking no new items');
    const written = readResultLines(output);
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(200);
    // Calls in flight were allowed to finish: every request the server saw has its result.
    expect(written.length).toBe(server.requests.length);
    expect(io.out()).toContain('stopped by SIGINT');
    expect(await runCommand(cascade, { input, output, concurrency: '16' }, captureIo(), new EventEmitter())).toBe(0);
    const ids = readResultLines(output).map((result) => result.id);
    expect(new Set(ids).size).toBe(200);
    expect(ids).toHaveLength(200);
  });

  it('holds a tier to its tokens per minute', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B') }));
    const folder = tempDir();
    const cascade = join(folder, 'cascade.yaml');
    // Each call counts its input tokens plus 100 allowed answer tokens: two fit in 250 per minute, a third must wait.
    writeFileSync(
      cascade,
      `name: limited\ntiers:\n  - { name: only, provider: openai, model: m, baseURL: "${server.url}/v1", tokensPerMinute: 250, params: { maxTokens: 100 } }\n`,
    );
    const input = join(folder, 'items.jsonl');
    writeFileSync(
      input,
      Array.from({ length: 4 }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `q${index}` })).join('\n'),
    );
    const signals = new EventEmitter();
    const running = runCommand(
      cascade,
      { input, output: join(folder, 'out.jsonl'), concurrency: '4' },
      captureIo(),
      signals,
    );
    // However slow the machine (building the tokenizer can take seconds under load), two calls go out;
    // the third needs about 15 s of refill, far more than any delay here, so it has not been sent.
    await vi.waitFor(() => expect(server!.requests).toHaveLength(2), { timeout: 30_000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requests).toHaveLength(2);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(await running).toBe(130);
  });

  it('holds a tier to its requests per minute', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B') }));
    const folder = tempDir();
    const cascade = join(folder, 'cascade.yaml');
    writeFileSync(
      cascade,
      `name: limited\ntiers:\n  - { name: only, provider: openai, model: m, baseURL: "${server.url}/v1", requestsPerMinute: 5, maxConcurrent: 2 }\n`,
    );
    const input = join(folder, 'items.jsonl');
    writeFileSync(
      input,
      Array.from({ length: 8 }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `q${index}` })).join('\n'),
    );
    const signals = new EventEmitter();
    const running = runCommand(
      cascade,
      { input, output: join(folder, 'out.jsonl'), concurrency: '8' },
      captureIo(),
      signals,
    );
    // Five calls in the first minute, no more, however many items wait (the sixth is a minute away).
    await vi.waitFor(() => expect(server!.requests).toHaveLength(5), { timeout: 30_000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requests).toHaveLength(5);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(await running).toBe(130);
  });
});
