import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ReplayMissError } from '../../src/errors/index.js';
import { readFixtures } from '../../src/fixtures/read-fixtures.js';
import { createReplayProvider } from '../../src/providers/replay.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';
import { sharedDataFile } from '../helpers/shared-data.js';

const sharedMmlu = sharedDataFile('zellinger-mmlu/train.jsonl');

describe('replay provider', () => {
  const fixtures = writeFixture([
    {
      id: 'a',
      prompt: 'first',
      responses: {
        m: { text: 'one', costUsd: 0.5, latencyMs: 120, confidence: 0.7, usage: { inputTokens: 10, outputTokens: 2 } },
      },
    },
    { id: 'b', prompt: 'second', responses: { m: { text: 'two' }, other: { text: 'deux' } } },
  ]);

  it('answers by id with the recorded text, usage, cost, latency and confidence', async () => {
    const provider = createReplayProvider({ model: 'm', fixtures });
    const completion = await provider.complete({
      id: 'a',
      messages: [{ role: 'user', content: 'ignored when the id matches' }],
    });
    expect(completion).toEqual({
      text: 'one',
      model: 'm',
      usage: { inputTokens: 10, outputTokens: 2 },
      costUsd: 0.5,
      latencyMs: 120,
      confidence: 0.7,
      confidenceSource: 'recorded',
    });
    expect(provider.knownCostUsd!({ id: 'a', messages: [] })).toBe(0.5);
  });

  it('answers by request when there is no id, and prices a recording without cost from its counted tokens', async () => {
    const provider = createReplayProvider({
      model: 'm',
      fixtures,
      pricing: { inputPerMTok: 1_000_000, outputPerMTok: 0 },
    });
    const completion = await provider.complete({ messages: [{ role: 'user', content: 'second' }] });
    expect(completion.text).toBe('two');
    expect(completion.usage.inputTokens).toBeGreaterThan(0);
    expect(completion.costUsd).toBe(completion.usage.inputTokens);
  });

  it('with a recorded cost and no usage, estimates usage without the tokenizer, and says so', async () => {
    const file = writeFixture([
      { id: 'q', prompt: 'x'.repeat(40), responses: { m: { text: 'y'.repeat(8), costUsd: 0.5 } } },
    ]);
    const completion = await createReplayProvider({ model: 'm', fixtures: file }).complete({
      id: 'q',
      messages: [{ role: 'user', content: 'x'.repeat(40) }],
    });
    expect(completion).toMatchObject({ costUsd: 0.5, usage: { inputTokens: 10, outputTokens: 2 } });
    expect(completion.usageEstimated).toContain('about 4 characters a token');
  });

  it('fails clearly on an unknown item and on a model the item lacks', async () => {
    const provider = createReplayProvider({ model: 'absent', fixtures });
    await expect(provider.complete({ id: 'b', messages: [] })).rejects.toThrow(
      'item "b" has no answer of model "absent"; it has "m", "other"',
    );
    await expect(provider.complete({ id: 'zzz', messages: [{ role: 'user', content: 'new' }] })).rejects.toBeInstanceOf(
      ReplayMissError,
    );
  });
});

describe('fixture reader', () => {
  it('names the file, line and field of a bad line', async () => {
    const file = join(tempDir(), 'bad.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ id: 'a', input: { messages: [{ role: 'user', content: 'x' }] }, responses: {} })}\n\n{"id":"b","input":{"messages":[{"role":"robot","content":"x"}]},"responses":{}}\n`,
    );
    const error = await readFixtures(file).catch((caught) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`${file}:3: input.messages[0].role: Invalid option`);
  });

  it('refuses duplicate ids and lines that are not JSON', async () => {
    const line = JSON.stringify({ id: 'a', input: { messages: [{ role: 'user', content: 'x' }] }, responses: {} });
    const duplicate = join(tempDir(), 'dup.jsonl');
    writeFileSync(duplicate, `${line}\n${line}\n`);
    await expect(readFixtures(duplicate)).rejects.toThrow(`${duplicate}:2: id "a" appears twice`);
    const broken = join(tempDir(), 'broken.jsonl');
    writeFileSync(broken, `${line}\n{"id": "b", "inp`);
    await expect(readFixtures(broken)).rejects.toThrow(`${broken}:2: not valid JSON`);
  });

  it.skipIf(!sharedMmlu)('reads a real data set of shared/data as it is', async () => {
    const items = await readFixtures(sharedMmlu!);
    expect(items.length).toBe(285);
    expect(Object.keys(items[0]!.responses)).toHaveLength(9);
  });
});
