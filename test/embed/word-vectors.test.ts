import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNumbers, readWordVectors } from '../../src/embed/word-vectors.js';
import { tempDir } from '../helpers/replay-fixture.js';

/** A file in the wink embeddings layout: each vector is its values, then its norm and its index. */
function winkFile(entries: [string, number[]][]): string {
  const vectors = Object.fromEntries(entries.map(([word, values], index) => [word, [...values, 1, index]]));
  const body = {
    precision: 8,
    l2NormIndex: 3,
    wordIndex: 4,
    size: entries.length,
    dimensions: 3,
    words: entries.map(([word]) => word),
    vectors,
    unkVector: [0, 0, 0, 0, -1],
  };
  const file = join(tempDir(), 'vectors.json');
  writeFileSync(file, JSON.stringify(body));
  return file;
}

describe('reading word vectors from a wink embeddings file', () => {
  const entries: [string, number[]][] = [
    ['the', [0.5, -0.25, 1]],
    ['[', [1e-5, 2.5e3, -3]],
    ['café', [-0.125, 0, 7]],
    ['"', [0.1, 0.2, 0.3]],
    ['rare', [9, 9, 9]],
  ];

  it('keeps the first words in file order, each in its row of one array', () => {
    const vectors = readWordVectors(winkFile(entries), 4);
    expect(vectors.dimensions).toBe(3);
    expect(vectors.vocabularySize).toBe(5);
    expect([...vectors.rows.keys()]).toEqual(['the', '[', 'café', '"']);
    const row = (word: string) => [
      ...vectors.values.subarray(vectors.rows.get(word)! * 3, vectors.rows.get(word)! * 3 + 3),
    ];
    expect(row('the')).toEqual([0.5, -0.25, 1]);
    expect(row('[')).toEqual([Math.fround(1e-5), 2500, -3]);
    expect(row('café')).toEqual([-0.125, 0, 7]);
    expect(row('"')).toEqual([Math.fround(0.1), Math.fround(0.2), Math.fround(0.3)]);
  });

  it('reads to the end when asked for more words than the file has', () => {
    expect(readWordVectors(winkFile(entries), 100).rows.size).toBe(5);
  });

  it('names the file and the fix when it is missing or not a wink file', () => {
    expect(() => readWordVectors(join(tempDir(), 'absent.json'), 10)).toThrow(
      /absent\.json.*npm install.*local-lexical/,
    );
    const other = join(tempDir(), 'other.json');
    writeFileSync(other, JSON.stringify({ hello: 'world' }));
    expect(() => readWordVectors(other, 10)).toThrow(/other\.json: not a wink embeddings file/);
  });

  it('refuses a file cut short, and a value that is not a plain decimal, rather than load less or shift values', () => {
    const whole = winkFile(entries);
    const text = readFileSync(whole, 'utf8');
    const cut = join(tempDir(), 'cut.json');
    writeFileSync(cut, text.slice(0, text.lastIndexOf('"café"') + 12));
    expect(() => readWordVectors(cut, 5)).toThrow(
      /cut\.json: not a wink embeddings file \(it ends after 2 of its 5 words\)/,
    );
    const spaced = join(tempDir(), 'spaced.json');
    writeFileSync(spaced, text.replace('[0.5,-0.25,1,', '[0.5, -0.25,1,'));
    expect(() => readWordVectors(spaced, 5)).toThrow(/"the" has a value that is not a plain decimal/);
  });

  it('parses decimals exactly as Number() does', () => {
    const texts = ['0.038194', '-0.24487', '5.821154', '2.95153011', '-1.5e-3', '12', '-0', '0.33333333'];
    const bytes = Buffer.from(texts.join(','), 'latin1');
    const into = new Float32Array(texts.length);
    expect(readNumbers(bytes, 0, bytes.length, into, 0, texts.length)).toBe(texts.length);
    expect([...into]).toEqual(texts.map((text) => Math.fround(Number(text))));
  });
});
