import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/evaluation/dataset.js';
import { scoreAgainstExpected } from '../../src/evaluation/score-answer.js';
import { tempDir } from '../helpers/replay-fixture.js';

const line = (responses: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: `i${Math.random()}`,
    input: { messages: [{ role: 'user', content: 'q' }] },
    responses,
    ...extra,
  });

describe('loading a fixture for evaluation', () => {
  it('scores by expected when there is no score, with the comparison that fits the reference', () => {
    expect(scoreAgainstExpected('The answer is (C).', 'C', 'auto')).toBe(1);
    expect(scoreAgainstExpected('... so 12 in total\n#### 12', '12', 'auto')).toBe(1);
    expect(scoreAgainstExpected('Paris ', 'paris', 'auto')).toBe(1);
    expect(scoreAgainstExpected('Paris ', 'paris', 'exact')).toBe(0);
  });

  it('names the line and the model when quality cannot be known', async () => {
    const file = join(tempDir(), 'f.jsonl');
    writeFileSync(file, `${line({ m: { text: 'x', score: 1 } })}\n${line({ m: { text: 'x' } })}\n`);
    await expect(loadDataset(file)).rejects.toThrow(
      `${file}:2: responses.m has no \`score\` and the item no \`expected\`, while other items are labelled`,
    );
    writeFileSync(file, `${line({ m: { text: 'x' } })}\n${line({ m: { text: 'y' } })}\n`);
    await expect(loadDataset(file)).rejects.toThrow(
      `${file}:1: responses.m has no \`score\` and the item no \`expected\`, and there is no other model to score it against`,
    );
  });

  it('scores unlabelled answers by agreement with the dearest model, and says where the reference has no answer', async () => {
    const file = join(tempDir(), 'f.jsonl');
    const big = (text: string) => ({ text, costUsd: 0.01 });
    writeFileSync(
      file,
      [
        line({ m: { text: 'A', costUsd: 0.001 }, big: big('A') }),
        line({ m: { text: 'B', costUsd: 0.001 }, big: big('C') }),
      ].join('\n'),
    );
    const dataset = await loadDataset(file);
    expect(dataset.quality).toEqual({ agreementWith: 'big', why: 'unlabelled' });
    expect([...dataset.score[0]!]).toEqual([1, 0]);
    expect([...dataset.score[1]!]).toEqual([1, 1]);
    writeFileSync(
      file,
      [line({ m: { text: 'A', costUsd: 0.001 }, big: big('A') }), line({ m: { text: 'B', costUsd: 0.001 } })].join(
        '\n',
      ),
    );
    await expect(loadDataset(file)).rejects.toThrow(
      `${file}:2: this item has no \`score\` or \`expected\`, and the reference model big has no answer to score it against`,
    );
  });

  it('says so when no item has a recorded answer', async () => {
    const file = join(tempDir(), 'f.jsonl');
    writeFileSync(file, `${line({})}\n${line({})}\n`);
    await expect(loadDataset(file)).rejects.toThrow(`${file}: no item has a recorded answer under \`responses\``);
  });

  it('takes a scorer module', async () => {
    const folder = tempDir();
    const file = join(folder, 'f.jsonl');
    writeFileSync(file, `${line({ m: { text: 'hello world' } }, { expected: 'hello' })}\n`);
    const scorer = join(folder, 'scorer.mjs');
    writeFileSync(scorer, 'export default (text, expected) => (text.startsWith(expected) ? 0.75 : 0);\n');
    const dataset = await loadDataset(file, { scorer });
    expect(dataset.score[0]![0]).toBe(0.75);
  });

  it('marks models missing on an item as unavailable, at no cost', async () => {
    const file = join(tempDir(), 'f.jsonl');
    writeFileSync(
      file,
      `${line({ a: { text: 'x', score: 1, costUsd: 0.1 }, b: { text: 'y', score: 0, costUsd: 0.2 } })}\n${line({ a: { text: 'x', score: 1, costUsd: 0.1 } })}\n`,
    );
    const dataset = await loadDataset(file);
    expect(dataset.models).toEqual(['a', 'b']);
    expect(Array.from(dataset.available[1]!)).toEqual([1, 0]);
    expect(Array.from(dataset.cost[1]!)).toEqual([0.2, 0]);
  });
});
