import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VectorIndex } from '../../src/cache/vector-index.js';
import { tempDir } from '../helpers/replay-fixture.js';

const dimensions = 32;
// Past the size at which a context moves from exact search into a graph (2,048).
const large = 2600;

/** Deterministic unit vectors. */
function unitVectors(count: number, seed: number): Float32Array[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    const vector = new Float32Array(dimensions);
    let norm = 0;
    for (let index = 0; index < dimensions; index++) {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      vector[index] = state / 2 ** 32 - 0.5;
      norm += vector[index]! ** 2;
    }
    return vector.map((value) => value / Math.sqrt(norm));
  });
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

/** An index with a large context `big` (ids 1..large) and a small one `small` (ids 10001..10020). */
function twoContexts() {
  const index = new VectorIndex(dimensions);
  const big = unitVectors(large, 1);
  const small = unitVectors(20, 2);
  for (const [row, vector] of big.entries()) index.add(row + 1, 'big', vector);
  for (const [row, vector] of small.entries()) index.add(10_001 + row, 'small', vector);
  return { index, big, small };
}

// A graph keeps half-precision vectors: its similarities are within about 0.001 of the exact ones.
const graphDigits = 2;

/** The share of the large context's entries (ids 1..large) that a search for one neighbour finds first, at similarity 1. */
function selfRecall(index: VectorIndex, big: Float32Array[]): number {
  const found = big.filter((vector, row) => {
    const [first] = index.search(vector, 'big', 1);
    return first?.id === row + 1 && Math.abs(first.similarity - 1) < 1e-3;
  });
  return found.length / big.length;
}

describe('vector index', () => {
  it('a search sees only its own context, exact while it is small and through a graph once it is large', () => {
    const { index, big, small } = twoContexts();
    expect(index.size).toBe(large + 20);
    // A small context's vector asked in the large context is not found there, and the reverse.
    const fromSmall = index.search(small[3]!, 'big', 4);
    expect(fromSmall).toHaveLength(4);
    expect(fromSmall.every((neighbour) => neighbour.id <= large)).toBe(true);
    expect(index.search(big[100]!, 'small', 4).every((neighbour) => neighbour.id > 10_000)).toBe(true);
    // In its own context, through the graph: itself first, at similarity 1.
    expect(index.search(big[2500]!, 'big', 1)[0]).toEqual({ id: 2501, similarity: expect.closeTo(1, graphDigits) });
    // The graph is approximate, and the entries moved into it at once are inserted on several threads, which
    // leaves one or two in a thousand unreachable (a different few each run; entries added one at a time
    // after were always found): so the test asks nearly all of them, not one of those.
    expect(selfRecall(index, big)).toBeGreaterThan(0.98);
    // The small context is searched exactly: the order and similarities of a brute-force scan.
    const query = unitVectors(1, 3)[0]!;
    const expected = small
      .map((vector, row) => ({ id: 10_001 + row, similarity: dot(vector, query) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, 4);
    const found = index.search(query, 'small', 4);
    expect(found.map((neighbour) => neighbour.id)).toEqual(expected.map((neighbour) => neighbour.id));
    for (const [rank, neighbour] of found.entries()) {
      expect(neighbour.similarity).toBeCloseTo(expected[rank]!.similarity, 5);
    }
    expect(index.search(query, 'unknown', 4)).toEqual([]);
  });

  it('replaces and removes entries in small and large contexts', () => {
    const { index, big, small } = twoContexts();
    const [replacement] = unitVectors(1, 4);
    for (const [id, context, old] of [
      [50, 'big', big[49]!],
      [10_005, 'small', small[4]!],
    ] as const) {
      index.add(id, context, replacement!);
      const digits = context === 'big' ? graphDigits : 5;
      expect(index.search(replacement!, context, 1)[0]).toEqual({ id, similarity: expect.closeTo(1, digits) });
      expect(index.search(old, context, 1)[0]!.similarity).toBeLessThan(0.99);
      index.remove(id);
      expect(index.search(replacement!, context, 4).map((neighbour) => neighbour.id)).not.toContain(id);
    }
    expect(index.size).toBe(large + 20 - 2);
    // An entry that moves to another context leaves the first one.
    index.add(10_006, 'big', small[5]!);
    expect(index.search(small[5]!, 'small', 4).map((neighbour) => neighbour.id)).not.toContain(10_006);
    expect(index.search(small[5]!, 'big', 1)[0]!.id).toBe(10_006);
  });

  it('is saved and loaded with both kinds of context, and a damaged graph is refused before it is read', () => {
    const folder = tempDir();
    const file = join(folder, 'vectors.hnsw');
    const { index, big, small } = twoContexts();
    index.save(file);
    const contexts = new Map<number, string>();
    for (let id = 1; id <= large; id++) contexts.set(id, 'big');
    for (let id = 10_001; id <= 10_020; id++) contexts.set(id, 'small');
    const { index: loaded, damaged } = VectorIndex.load(file, dimensions, contexts);
    expect(damaged).toBeUndefined();
    expect(loaded!.size).toBe(large + 20);
    expect(loaded!.search(big[7]!, 'big', 2)).toEqual(index.search(big[7]!, 'big', 2));
    expect(loaded!.search(small[7]!, 'small', 3)).toEqual(index.search(small[7]!, 'small', 3));
    // A store that changed since (one entry more) is not covered: no index, no complaint, the caller rebuilds.
    expect(VectorIndex.load(file, dimensions, new Map([...contexts, [20_000, 'small']]))).toEqual({});

    const graph = readdirSync(folder).find((name) => name.endsWith('.usearch'))!;
    expect(graph).toBe('vectors.hnsw.big.usearch');
    const bytes = readFileSync(join(folder, graph));
    bytes.fill(0xff, 0, 64);
    writeFileSync(join(folder, graph), bytes);
    expect(VectorIndex.load(file, dimensions, contexts).damaged).toBe(
      `its graph ${join(folder, graph)} is damaged (its checksum does not match)`,
    );
    truncateSync(join(folder, graph), 1000);
    expect(VectorIndex.load(file, dimensions, contexts).damaged).toMatch(/has 1000 bytes where \d+ were saved/);
  });

  it('removes the graph file of a context that is gone when it saves again', () => {
    const folder = tempDir();
    const file = join(folder, 'vectors.hnsw');
    const { index } = twoContexts();
    index.save(file);
    expect(readdirSync(folder).filter((name) => name.endsWith('.usearch'))).toHaveLength(1);
    for (let id = 1; id <= large; id++) index.remove(id);
    index.save(file);
    expect(readdirSync(folder).filter((name) => name.endsWith('.usearch'))).toEqual([]);
    const contexts = new Map(Array.from({ length: 20 }, (_, row) => [10_001 + row, 'small'] as [number, string]));
    expect(VectorIndex.load(file, dimensions, contexts).index!.size).toBe(20);
  });

  it('built from stored entries at once finds what one-at-a-time adding finds', () => {
    const { index, big, small } = twoContexts();
    const built = VectorIndex.build(dimensions, [
      ...big.map((vector, row) => ({ id: row + 1, context: 'big', vector })),
      ...small.map((vector, row) => ({ id: 10_001 + row, context: 'small', vector })),
    ]);
    expect(built.size).toBe(index.size);
    // Built on several threads, like the move into a graph above: nearly every entry finds itself.
    expect(selfRecall(built, big)).toBeGreaterThan(0.98);
    expect(built.search(small[2]!, 'small', 3)).toEqual(index.search(small[2]!, 'small', 3));
  });
});
