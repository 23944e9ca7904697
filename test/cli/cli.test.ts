import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('cascade run', () => {
  it('runs the demo offline and writes one result per item with its id, then a summary', async () => {
    const output = join(tempDir(), 'nested', 'results.jsonl');
    const io = captureIo();
    const code = await runCli(
      [
        'run',
        'cascades/demo.yaml',
        '--input',
        'fixtures/demo/tickets.jsonl',
        '--output',
        output,
        '--replay',
        'fixtures/demo/recorded.jsonl',
      ],
      io,
    );
    expect(io.err()).toContain('progress: 30/30 items');
    expect(code).toBe(0);
    // Every summary says where its prices came from.
    expect(io.out()).toContain(
      'prices:        replayed (local, cheap, strong): each answer costs what its recording says',
    );
    const tickets = readLines('fixtures/demo/tickets.jsonl');
    const results = readLines(output);
    // Results are written as items finish, so in any order; each id exactly once.
    expect(results.map((result) => result.id).sort()).toEqual(tickets.map((ticket) => ticket.id).sort());
    // Fields the runner does not know (customer) are carried through.
    expect(results.find((result) => result.id === 'T-1001')).toMatchObject({ id: 'T-1001', customer: 'acct-1001' });
    const perTier = new Map<string, number>();
    for (const result of results) perTier.set(result.tier, (perTier.get(result.tier) ?? 0) + 1);
    // Every tier answers some tickets: the demo exercises escalation all the way up.
    expect([...perTier.keys()].sort()).toEqual(['cheap', 'local', 'strong']);
    for (const result of results) {
      expect(result.stop).toBe('accepted');
      expect(result.value).toMatchObject({ category: expect.any(String), priority: expect.any(String) });
    }
    const total = results.reduce((sum, result) => sum + result.costUsd, 0);
    expect(io.out()).toContain(`items:         ${results.length}`);
    expect(io.out()).toContain(`local ${perTier.get('local')} (`);
    expect(io.out()).toContain(`$${total.toFixed(6)} vs $`);
    expect(io.out()).toContain(`results:       ${output}`);
  });

  it('prints its version, and shows numeric defaults without quotes', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.out().trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    const help = captureIo();
    expect(await runCli(['run', '--help'], help)).toBe(0);
    expect(help.out()).toContain('(default 8)');
    expect(help.out()).not.toContain('(default: "8")');
    // Options a command cannot run without say so in its help.
    const tune = captureIo();
    expect(await runCli(['tune', '--help'], tune)).toBe(0);
    expect(tune.out()).toMatch(/--fixtures <file> +training fixture \(JSON Lines\) \(required\)/);
    expect(tune.out()).toMatch(/--out <cascade\.yaml> +where to write the tuned cascade \(required\)/);
    expect(tune.out()).not.toMatch(/--report.*\(required\)/);
  });

  it('writes an error result for a bad input line and goes on', async () => {
    const folder = tempDir();
    const input = join(folder, 'items.jsonl');
    writeFileSync(
      input,
      [
        '{"id":"T-1001","input":{"messages":[{"role":"user","content":"x"}]}}',
        '{not json',
        '{"prompt":"no id"}',
        '{"id":"T-1002"}',
      ].join('\n'),
    );
    const output = join(folder, 'out.jsonl');
    const io = captureIo();
    expect(
      await runCli(
        ['run', 'cascades/demo.yaml', '--input', input, '--output', output, '--replay', 'fixtures/demo/recorded.jsonl'],
        io,
      ),
    ).toBe(0);
    const results = readLines(output).sort((a, b) => (a.line ?? 1) - (b.line ?? 1));
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ id: 'T-1001', stop: 'accepted' });
    expect(results[1]).toMatchObject({
      line: 2,
      stop: 'error',
      error: expect.stringContaining('line 2: not valid JSON'),
    });
    expect(results[2]).toMatchObject({ line: 3, stop: 'error', error: 'line 3: missing `id` (a string or number)' });
    expect(results[3]).toMatchObject({
      id: 'T-1002',
      line: 4,
      stop: 'error',
      error: expect.stringContaining('input.messages'),
    });
  });

  it('stops before the first call when an API key is missing, naming the variable', async () => {
    const folder = tempDir();
    const output = join(folder, 'out.jsonl');
    const io = captureIo({});
    const code = await runCli(
      ['run', 'cascades/demo.yaml', '--input', 'fixtures/demo/tickets.jsonl', '--output', output],
      io,
    );
    expect(code).toBe(2);
    // The demo's two hosted tiers need two keys: both are named at once.
    expect(io.err()).toMatch(/environment variables with API keys are not set: OPENAI_API_KEY for .*ANTHROPIC_API_KEY/);
  });

  it('exits 2 with the file and field on an invalid cascade file', async () => {
    const file = join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'name: x\ntiers:\n  - name: a\n    provider: ollama\n    model: m\n    timeoutMs: -5\n');
    const io = captureIo();
    expect(await runCli(['run', file, '--input', 'x', '--output', 'y'], io)).toBe(2);
    expect(io.err()).toContain(`${file}: tiers[0].timeoutMs: Too small`);
  });
});

describe('cascade ask', () => {
  it('finds the demo recording by request, with the system message the cascade file adds', async () => {
    const io = captureIo();
    const prompt =
      'Ticket T-1009: Since the update yesterday, the search returns results from other workspaces. This is a data leak!';
    expect(
      await runCli(['ask', 'cascades/demo.yaml', prompt, '--replay', 'fixtures/demo/recorded.jsonl', '--json'], io),
    ).toBe(0);
    const result = JSON.parse(io.out());
    expect(result).toMatchObject({ tier: 'strong', stop: 'accepted', value: { category: 'bug', priority: 'urgent' } });
    expect(result.trace.map((entry: { tier: string }) => entry.tier)).toEqual(['local', 'cheap', 'strong']);
  });

  it('prints the answer and a short trace', async () => {
    const folder = tempDir();
    const fixtures = join(folder, 'fixture.jsonl');
    writeFileSync(
      fixtures,
      `${JSON.stringify({ id: 'x', input: { messages: [{ role: 'user', content: 'Capital of France? Answer with one word.' }] }, responses: { small: { text: 'Lyon?', costUsd: 0 }, big: { text: 'Paris', costUsd: 0.002, latencyMs: 800 } } })}\n`,
    );
    const cascadeFile = join(folder, 'cascade.yaml');
    writeFileSync(
      cascadeFile,
      'name: capitals\ntiers:\n  - { name: small, provider: replay, model: small, fixtures: fixture.jsonl, gates: [{ type: regex, pattern: "^[A-Z][a-z]+$" }] }\n  - { name: big, provider: replay, model: big, fixtures: fixture.jsonl }\n',
    );
    const io = captureIo();
    expect(await runCli(['ask', cascadeFile, 'Capital of France? Answer with one word.'], io)).toBe(0);
    const [answer, trace] = io.out().split('\n\n');
    expect(answer).toBe('Paris');
    expect(trace).toContain('small (replay small)');
    expect(trace).toContain('regex FAIL');
    expect(trace).toContain('big (replay big): $0.002000, 800 ms');
    expect(trace).toContain('stop: accepted');

    const json = captureIo();
    await runCli(['ask', cascadeFile, 'Capital of France? Answer with one word.', '--json'], json);
    expect(JSON.parse(json.out())).toMatchObject({
      text: 'Paris',
      tier: 'big',
      stop: 'accepted',
      trace: [{ tier: 'small' }, { tier: 'big' }],
    });
  });
});
