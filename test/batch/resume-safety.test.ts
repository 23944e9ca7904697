import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { readLines } from '../../src/output/read-lines.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { readResultLines } from '../helpers/spawn-cli.js';
import { openAIChat, openAIError } from '../helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

function job(url: string, lines: string[]) {
  const folder = tempDir();
  const cascade = join(folder, 'cascade.yaml');
  writeFileSync(
    cascade,
    `name: j\ntiers:\n  - { name: only, provider: openai, model: m, baseURL: "${url}/v1", maxRetries: 0 }\n`,
  );
  const input = join(folder, 'items.jsonl');
  writeFileSync(input, `${lines.join('\n')}\n`);
  return { folder, cascade, input, output: join(folder, 'out.jsonl') };
}
const items = (count: number) =>
  Array.from({ length: count }, (_, index) => JSON.stringify({ id: `i${index}`, prompt: `q${index}` }));
const run = (files: ReturnType<typeof job>, extra: string[] = [], io = captureIo({ OPENAI_API_KEY: 'k' })) =>
  runCli(['run', files.cascade, '--input', files.input, '--output', files.output, ...extra], io);

describe('the output lock', () => {
  it('refuses a second run on the same output while the first runs, naming who holds it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    server = await startLoopbackServer(async () => {
      await gate;
      return { json: openAIChat('B') };
    });
    const files = job(server.url, items(20));
    const first = run(files);
    await vi.waitFor(() => expect(server!.requests.length).toBeGreaterThan(0), { timeout: 30_000, interval: 10 });
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(await run(files, [], io)).toBe(2);
    expect(io.err()).toContain(`is being written by another run (pid ${process.pid}`);
    release();
    expect(await first).toBe(0);
    const ids = readResultLines(files.output).map((result) => result.id);
    expect(new Set(ids).size).toBe(20);
    expect(ids).toHaveLength(20);
    expect(existsSync(`${files.output}.lock`)).toBe(false);
  });

  it('takes over a lock left by a run that died, and says so', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B') }));
    const files = job(server.url, items(3));
    // A pid far above any this machine has used: no such process.
    writeFileSync(`${files.output}.lock`, JSON.stringify({ pid: 2 ** 30, host: hostname(), started: 'then' }));
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(await run(files, [], io)).toBe(0);
    expect(io.out()).toContain(`took over ${files.output}.lock from pid ${2 ** 30}`);
    expect(readResultLines(files.output)).toHaveLength(3);
  });
});

/** A server that refuses (a 400) the items whose prompt ends in 3, until `heal` is called. */
async function refusingItemsEndingIn3(): Promise<{ url: string; heal: () => void }> {
  let healthy = false;
  const refusing = await startLoopbackServer((request) =>
    healthy || !String(request.body.messages.at(-1).content).endsWith('3')
      ? { json: openAIChat('B') }
      : { status: 400, json: openAIError('refused') },
  );
  server = refusing;
  return { url: refusing.url, heal: () => (healthy = true) };
}

describe('resume', () => {
  it('stops at a bad line in the middle of the output, naming it, and touches nothing', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B') }));
    const files = job(server.url, items(5));
    const written = `{"id":"i0","stop":"accepted"}\n{"id":"i1","stop":"acc\n{"id":"i2","stop":"accepted"}\n`;
    writeFileSync(files.output, written);
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(await run(files, [], io)).toBe(2);
    expect(io.err()).toMatch(/out\.jsonl line 2 is not a result line/);
    expect(readFileSync(files.output, 'utf8')).toBe(written);
    expect(server.requests).toHaveLength(0);
  });

  it('redoes failed and budget-stopped items with --retry-failed, each id once in the end', async () => {
    const { url, heal } = await refusingItemsEndingIn3();
    const files = job(url, items(14));
    expect(await run(files)).toBe(0);
    const failed = readResultLines(files.output).filter((result) => result.stop === 'error');
    expect(failed.map((result) => result.id).sort()).toEqual(['i13', 'i3']);
    heal();
    // Without the flag the failures stand.
    expect(await run(files)).toBe(0);
    expect(readResultLines(files.output).filter((result) => result.stop === 'error')).toHaveLength(2);
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(await run(files, ['--retry-failed'], io)).toBe(0);
    expect(io.out()).toContain('redone:        2 items');
    const results = readResultLines(files.output);
    expect(results.map((result) => result.id).sort()).toEqual(
      items(14)
        .map((line) => JSON.parse(line).id)
        .sort(),
    );
    expect(results.every((result) => result.stop === 'accepted')).toBe(true);
  });

  it('says one item redone, and the items skipped, in words that fit the count', async () => {
    const { url, heal } = await refusingItemsEndingIn3();
    const files = job(url, items(5));
    expect(await run(files)).toBe(0);
    heal();
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(await run(files, ['--retry-failed'], io)).toBe(0);
    expect(io.out()).toContain('redone:        1 item (its old result was replaced)');
    expect(io.out()).toContain(`resumed:       4 items already in ${files.output} were skipped`);
  });

  it('notices an input changed under a written id, and redoes it with --redo-changed', async () => {
    server = await startLoopbackServer((request) => ({
      json: openAIChat(`answer to ${request.body.messages.at(-1).content}`),
    }));
    const files = job(server.url, items(4));
    expect(await run(files)).toBe(0);
    writeFileSync(
      files.input,
      `${[...items(4).slice(0, 3), JSON.stringify({ id: 'i3', prompt: 'a new question' })].join('\n')}\n`,
    );
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(await run(files, [], io)).toBe(0);
    expect(io.out()).toContain('changed input: 1 items');
    expect(io.out()).toContain('(i3); use --redo-changed');
    expect(server.requests).toHaveLength(4);
    expect(await run(files, ['--redo-changed'])).toBe(0);
    const results = readResultLines(files.output);
    expect(results).toHaveLength(4);
    expect(results.find((result) => result.id === 'i3')!.text).toBe('answer to a new question');
  });
});

describe('writing the output', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'on a full disk names the file, prints the summary and exits 1 instead of a stack trace',
    async () => {
      server = await startLoopbackServer(() => ({ json: openAIChat('B') }));
      const files = job(server.url, items(5));
      const io = captureIo({ OPENAI_API_KEY: 'k' });
      const code = await runCli(['run', files.cascade, '--input', files.input, '--output', '/dev/full'], io);
      expect(code).toBe(1);
      expect(io.out()).toContain('write failed:  cannot write to /dev/full: no space left on the device');
      expect(io.out()).toContain('items:');
      expect(io.err()).not.toMatch(/at .*\.js:\d+/);
    },
  );
});

describe('reading lines', () => {
  it('skips a line over the limit without holding it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent === 64) {
          this.push('\n{"id":"next"}\n');
          this.push(null);
        } else {
          sent++;
          this.push(chunk);
        }
      },
    });
    const before = process.memoryUsage();
    let peak = 0;
    const seen = [];
    for await (const line of readLines(stream, 1024 * 1024)) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before.arrayBuffers);
      seen.push('tooLong' in line ? { line: line.line, tooLong: line.bytes } : { line: line.line, text: line.text });
    }
    expect(seen).toEqual([
      { line: 1, tooLong: 64 * 1024 * 1024 },
      { line: 2, text: '{"id":"next"}' },
    ]);
    // A 64 MiB line, and never more than a few chunks held at once.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('ids', () => {
  it('are kept exactly as written: big numbers, exponents, and 1 apart from "1"', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B') }));
    const written = ['12345678901234567891', '12345678901234567892', '1e400', '1', '"1"', '"caf\\u00e9"'];
    const files = job(
      server.url,
      written.map((id) => `{"id": ${id}, "prompt": "q"}`),
    );
    expect(await run(files)).toBe(0);
    const lines = readFileSync(files.output, 'utf8').trim().split('\n');
    const ids = lines.map((line) => line.slice('{"id":'.length, line.indexOf(',"')));
    expect(ids.sort()).toEqual([...written].sort());
    expect(lines.every((line) => JSON.parse(line).stop === 'accepted')).toBe(true);
    // And resume knows each of them by what was written.
    const io = captureIo({ OPENAI_API_KEY: 'k' });
    expect(await run(files, [], io)).toBe(0);
    expect(io.out()).toContain(`all ${written.length} items were already done`);
  });
});
