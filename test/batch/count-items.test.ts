import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countItems, readItems } from '../../src/batch/read-items.js';
import { tempDir } from '../helpers/replay-fixture.js';

/** What the run reads: the lines `readItems` yields, counted one by one. */
async function yielded(file: string, maxLineBytes: number): Promise<number> {
  let count = 0;
  for await (const _ of readItems(file, maxLineBytes)) count++;
  return count;
}

describe('countItems', () => {
  it('counts the lines the run reads: not blank ones (white space as trim sees it, non-ASCII included), but over-long ones', async () => {
    const nbsp = '\u00a0';
    const ideographicSpace = '\u3000';
    const lines = [
      '{"id":1,"prompt":"a"}',
      '',
      '   \t ',
      '\r',
      `${nbsp}${ideographicSpace}\ufeff`, // white space to trim, in non-ASCII characters
      `  ${nbsp}x`, // a non-ASCII space, then a letter
      'é', // a letter outside ASCII
      '\u0001', // a control character trim keeps
      ' '.repeat(300), // blank, but over the limit below: refused, so counted
      `${nbsp.repeat(200)}`, // over the limit too
      'x'.repeat(70_000), // across read chunks
      `${' '.repeat(65_530)}${ideographicSpace}`, // a character cut by a chunk's edge, then the line's end
      '{"id":2,"prompt":"b"}\r',
    ];
    const folder = tempDir();
    for (const [name, text] of [
      ['ends.jsonl', `${lines.join('\n')}\n`],
      ['open.jsonl', `${lines.join('\n')}\n  ${ideographicSpace}`],
      ['last.jsonl', `${lines.join('\n')}\n{"id":3}`],
      ['empty.jsonl', ''],
      ['blank.jsonl', '\n\n  \n'],
    ] as const) {
      const file = join(folder, name);
      writeFileSync(file, text);
      for (const limit of [256, 1024 * 1024]) expect(await countItems(file, limit)).toBe(await yielded(file, limit));
    }
    expect(await countItems('-')).toBeUndefined();
  });
});
