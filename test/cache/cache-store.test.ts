import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheStore, storeFileName } from '../../src/cache/cache-store.js';
import { tempDir } from '../helpers/replay-fixture.js';

describe('cache store', () => {
  it('keeps its entries in the database file once closed, not only in the WAL', () => {
    const folder = tempDir();
    const store = new CacheStore(folder);
    const vector = new Float32Array(256).fill(0.5);
    for (let index = 0; index < 300; index++) {
      store.put(
        {
          namespace: 'n',
          key: `k${index}`,
          context: 'c',
          query: `q${index}`,
          answer: { text: 'a', costUsd: 0 },
          expiresAt: undefined,
          embedder: 'e',
          vector,
        },
        Date.now(),
      );
    }
    store.close();
    const file = join(folder, storeFileName);
    // 300 vectors of 1 KiB each.
    expect(statSync(file).size).toBeGreaterThan(300 * 1024);
    expect(!existsSync(`${file}-wal`) || statSync(`${file}-wal`).size === 0).toBe(true);
    const reopened = new CacheStore(folder);
    const vectors = [...reopened.vectors('n', 'e', Date.now())];
    expect(vectors).toHaveLength(300);
    expect(vectors[0]!.vector).toEqual(vector);
    expect(reopened.get('n', 'k7', Date.now())).toMatchObject({ query: 'q7', answer: { text: 'a' } });
    reopened.close();
  });
});
