import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';

const questions: Record<string, string> = {
  q1: 'How do I reset my password?',
  q2: 'How do I export my data to CSV?',
  q3: 'Please send me the invoice for order 1234 from last month',
  q4: 'Is it safe to delete my old projects?',
  // Rewordings and changes of the above.
  r1: 'how do i reset my password',
  r2: 'How can I export my data to CSV?',
  r3: 'Please send me the invoice for order 1235 from last month',
  r4: 'Is it not safe to delete my old projects?',
};

/** A cascade of two replayed tiers (the cheap one always escalates) with a persistent cache, and its items. */
function setUp() {
  const folder = tempDir();
  const fixture = join(folder, 'recorded.jsonl');
  writeFileSync(
    fixture,
    Object.entries(questions)
      .map(([id, content]) =>
        JSON.stringify({
          id,
          input: { messages: [{ role: 'user', content }] },
          responses: {
            small: { text: `small answer to ${id}`, costUsd: 0.0001 },
            large: { text: `ANSWER ${id}`, costUsd: 0.003 },
          },
        }),
      )
      .join('\n'),
  );
  const cascade = join(folder, 'cascade.yaml');
  writeFileSync(
    cascade,
    `name: support
cache:
  namespace: support
  store: ./cache
  ttlSeconds: 3600
  semantic:
    embedder: local
    threshold: 0.8
tiers:
  - name: small
    provider: replay
    model: small
    fixtures: recorded.jsonl
    gates: [{ type: regex, pattern: "^ANSWER" }]
  - name: large
    provider: replay
    model: large
    fixtures: recorded.jsonl
`,
  );
  const items = (ids: string[], name: string) => {
    const file = join(folder, name);
    writeFileSync(file, ids.map((id) => JSON.stringify({ id, prompt: questions[id] })).join('\n') + '\n');
    return file;
  };
  return { folder, cascade, items };
}

const results = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('a cascade with a response cache, from the command line', () => {
  it('costs less on the second run of a batch with repeated and reworded items, and the results say why', async () => {
    const { folder, cascade, items } = setUp();
    const first = captureIo({});
    expect(
      await runCli(
        [
          'run',
          cascade,
          '--input',
          items(['q1', 'q2', 'q3', 'q4'], 'first.jsonl'),
          '--output',
          join(folder, 'first.out.jsonl'),
          '--concurrency',
          '1',
        ],
        first,
      ),
    ).toBe(0);
    expect(first.out()).toContain('cache:         exact 0, semantic 0, miss 4');
    const firstCost = results(join(folder, 'first.out.jsonl')).reduce((sum, result) => sum + result.costUsd, 0);
    expect(firstCost).toBeCloseTo(4 * 0.0031, 10);

    // The second batch repeats two items, rewords two, and changes a number and a negation.
    const second = captureIo({});
    expect(
      await runCli(
        [
          'run',
          cascade,
          '--input',
          items(['q1', 'q2', 'r1', 'r2', 'r3', 'r4'], 'second.jsonl'),
          '--output',
          join(folder, 'second.out.jsonl'),
          '--concurrency',
          '1',
        ],
        second,
      ),
    ).toBe(0);
    const byId = Object.fromEntries(results(join(folder, 'second.out.jsonl')).map((result) => [result.id, result]));
    expect(byId.q1).toMatchObject({
      text: 'ANSWER q1',
      costUsd: 0,
      cache: { kind: 'exact', savedUsd: 0.0031 },
      tier: 'large',
    });
    expect(byId.r1).toMatchObject({
      text: 'ANSWER q1',
      costUsd: 0,
      cache: { kind: 'semantic', matched: questions['q1'] },
    });
    expect(byId.r2).toMatchObject({ text: 'ANSWER q2', cache: { kind: 'semantic', matched: questions['q2'] } });
    expect(byId.r3).toMatchObject({ text: 'ANSWER r3', cache: { kind: 'miss', refused: [{ guard: 'numbers' }] } });
    expect(byId.r4).toMatchObject({ text: 'ANSWER r4', cache: { kind: 'miss', refused: [{ guard: 'negation' }] } });
    const secondCost = Object.values(byId).reduce((sum: number, result: any) => sum + result.costUsd, 0);
    expect(secondCost).toBeCloseTo(2 * 0.0031, 10);
    expect(second.out()).toContain('cache:         exact 2, semantic 2, miss 2 (hits saved $0.012400)');

    // ask shows the hit in its trace.
    const asked = captureIo({});
    expect(await runCli(['ask', cascade, 'How do I reset my password?'], asked)).toBe(0);
    expect(asked.out()).toMatch(/cache: exact hit \(stored .*, saved \$0\.003100\)/);

    // --no-cache goes to the tiers.
    const uncached = captureIo({});
    expect(await runCli(['ask', cascade, 'How do I reset my password?', '--no-cache', '--json'], uncached)).toBe(0);
    const result = JSON.parse(uncached.out());
    expect(result.cache).toBeUndefined();
    expect(result.costUsd).toBeCloseTo(0.0031, 10);
  });

  it('cache stats, export and clear work on the cascade file or the store folder', async () => {
    const { folder, cascade, items } = setUp();
    await runCli(
      [
        'run',
        cascade,
        '--input',
        items(['q1', 'q2'], 'a.jsonl'),
        '--output',
        join(folder, 'a.out.jsonl'),
        '--concurrency',
        '1',
      ],
      captureIo({}),
    );
    await runCli(
      ['run', cascade, '--input', items(['q1'], 'b.jsonl'), '--output', join(folder, 'b.out.jsonl')],
      captureIo({}),
    );

    const stats = captureIo({});
    expect(await runCli(['cache', 'stats', cascade], stats)).toBe(0);
    expect(stats.out()).toContain('support: 2 entries (2 with vectors), 1 hits served, 0 expired');

    const exported = captureIo({});
    expect(await runCli(['cache', 'export', join(folder, 'cache')], exported)).toBe(0);
    const lines = exported
      .out()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.query, line.text, line.tier, line.model])).toEqual([
      [questions['q1'], 'ANSWER q1', 'large', 'large'],
      [questions['q2'], 'ANSWER q2', 'large', 'large'],
    ]);
    expect(lines[0].expiresAt).toBeDefined();

    const cleared = captureIo({});
    expect(await runCli(['cache', 'clear', cascade, '--namespace', 'other'], cleared)).toBe(0);
    expect(cleared.out()).toContain('removed 0 entries of namespace other');
    expect(await runCli(['cache', 'clear', cascade], cleared)).toBe(0);
    expect(cleared.out()).toContain('removed 2 entries');
  });

  it('names the fix when the target has no persistent store', async () => {
    const folder = tempDir();
    const file = join(folder, 'memory.yaml');
    writeFileSync(
      file,
      'name: m\ncache: { namespace: x }\ntiers: [{ name: a, provider: replay, model: a, fixtures: f.jsonl }]\n',
    );
    const io = captureIo({});
    expect(await runCli(['cache', 'stats', file], io)).toBe(2);
    expect(io.err()).toContain(
      `${file}: cache.store: this cascade's cache lives in memory only; add \`cache: { store: .cascade/cache }\``,
    );
    expect(await runCli(['cache', 'stats', folder], io)).toBe(2);
    expect(io.err()).toContain('no cache store here');
  });
});
