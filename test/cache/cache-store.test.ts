import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CacheStore, storeFileName } from '../../src/cache/cache-store.js';
import { tempDir } from '../helpers/replay-fixture.js';

const entry = (key: string) => ({
  namespace: 'n',
  key,
  context: 'c',
  query: `q ${key}`,
  answer: { text: `a ${key}`, costUsd: 0 },
  expiresAt: undefined,
});
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('cache store', () => {
  it("commits a turn's saves when the turn ends: other connections see them from then on", async () => {
    const folder = tempDir();
    const writer = new CacheStore(folder);
    const reader = new CacheStore(folder);
    const id = writer.put(entry('k1'), Date.now());
    expect(writer.get('n', 'k1', Date.now())?.id).toBe(id);
    expect(reader.get('n', 'k1', Date.now())).toBeUndefined();
    await nextTurn();
    expect(reader.get('n', 'k1', Date.now())).toMatchObject({ id, answer: { text: 'a k1' } });
    writer.close();
    reader.close();
  });

  it('gives the id of the row a save made or replaced: a new key a new id, a key saved again its own', () => {
    const store = new CacheStore(undefined);
    const now = Date.now();
    const first = store.put(entry('a'), now);
    const second = store.put(entry('b'), now);
    expect(second).not.toBe(first);
    // Replacing a row inserts none: the id is the replaced row's, not the last one inserted.
    expect(store.put({ ...entry('a'), answer: { text: 'again', costUsd: 0 } }, now)).toBe(first);
    expect(store.getById(first, now)).toMatchObject({ answer: { text: 'again' } });
    const third = store.put(entry('c'), now);
    expect([first, second]).not.toContain(third);
    expect(store.put(entry('c'), now)).toBe(third);
    store.close();
  });

  it('two stores of one process on the same file save in the same turn without waiting on each other', () => {
    const folder = tempDir();
    const first = new CacheStore(folder);
    const second = new CacheStore(folder);
    first.put(entry('a'), Date.now());
    // With the first store's transaction still open, this would wait the busy timeout (5 s) and fail.
    second.put(entry('b'), Date.now());
    first.put(entry('c'), Date.now());
    first.close();
    second.close();
    const reopened = new CacheStore(folder);
    expect(['a', 'b', 'c'].map((key) => reopened.get('n', key, Date.now())?.answer)).toEqual([
      { text: 'a a', costUsd: 0 },
      { text: 'a b', costUsd: 0 },
      { text: 'a c', costUsd: 0 },
    ]);
    reopened.close();
  });

  it('a store whose open saves hold the write lock does not block the other store of its process', () => {
    const folder = tempDir();
    const first = new CacheStore(folder);
    const second = new CacheStore(folder);
    const now = Date.now();
    first.put(entry('a'), now);
    // Each of these writes would wait out the busy timeout (5 s) on the first store's open transaction.
    expect(second.purgeExpired(now)).toEqual([]);
    first.put(entry('b'), now);
    expect(second.clear('another namespace')).toBe(0);
    first.put(entry('c'), now);
    expect(second.trim('n', 1).length).toBeGreaterThan(0);
    first.put(entry('d'), now);
    second.close();
    first.close();
    const reopened = new CacheStore(folder);
    expect(reopened.get('n', 'd', now)?.query).toBe('q d');
    reopened.close();
  });

  it("a save that cannot be made leaves the turn's other saves in place", async () => {
    const store = new CacheStore(tempDir());
    const now = Date.now();
    const kept = store.put(entry('good'), now);
    const unsaveable = { ...entry('bad'), answer: { text: 'x', costUsd: 1n as unknown as number } };
    expect(() => store.put(unsaveable, now)).toThrow(/BigInt/);
    const other = store.put(entry('other'), now);
    expect(other).not.toBe(kept);
    await nextTurn();
    expect(store.get('n', 'good', now)?.id).toBe(kept);
    expect(store.get('n', 'other', now)?.id).toBe(other);
    store.close();
  });

  it('a commit that fails (file size limit) is named and its saves reported lost, and the process goes on', () => {
    const folder = tempDir();
    const storeModule = fileURLToPath(new URL('../../dist/src/cache/cache-store.js', import.meta.url));
    const script = `const { CacheStore } = await import(${JSON.stringify(storeModule)});
      const store = new CacheStore(${JSON.stringify(folder)}, (message) => console.log('notice:', message));
      store.onSavesLost = (ids) => console.log('lost:', ids.length);
      const big = 'x'.repeat(50000);
      for (let index = 0; index < 20; index++)
        store.put({ namespace: 'n', key: 'k' + index, context: 'c', query: 'q', answer: { text: big } }, Date.now());
      await new Promise((resolve) => setImmediate(resolve));
      console.log('still running');`;
    // 200 KiB at most per file written: the turn's 1 MB of answers cannot be committed.
    const child = spawnSync(
      'bash',
      ['-c', `ulimit -f 200; exec "${process.execPath}" --input-type=module -e "$SCRIPT"`],
      { encoding: 'utf8', env: { ...process.env, SCRIPT: script } },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toMatch(/notice: the cache store .* could not keep the 20 answers saved last/);
    expect(child.stdout).toContain('lost: 20');
    expect(child.stdout).toContain('still running');
    expect(child.status).toBe(0);
  });

  it('a commit that fails at the 256-save limit reports those saves, not the next one; one that fails at exit is written to stderr', () => {
    const folder = tempDir();
    const storeModule = fileURLToPath(new URL('../../dist/src/cache/cache-store.js', import.meta.url));
    const script = `const { CacheStore } = await import(${JSON.stringify(storeModule)});
      const store = new CacheStore(${JSON.stringify(folder)}, (message) => console.log('notice:', message));
      const lost = new Set();
      store.onSavesLost = (ids) => { for (const id of ids) lost.add(id); };
      const big = 'x'.repeat(5000);
      const put = (key, text = big) => store.put({ namespace: 'n', key, context: 'c', query: 'q', answer: { text } }, Date.now());
      for (let index = 0; index < 255; index++) put('k' + index);
      const full = put('k255');
      console.log('the 256th save lost when it returned:', lost.has(full));
      const returned = put('last', 'y'.repeat(300000));
      // Reported before it returns: the ids SQLite hands out again are dropped before they are reused.
      console.log('lost before the next save returned:', lost.size, typeof returned);
      process.exit(0);`;
    const child = spawnSync(
      'bash',
      ['-c', `ulimit -f 200; exec "${process.execPath}" --input-type=module -e "$SCRIPT"`],
      {
        encoding: 'utf8',
        env: { ...process.env, SCRIPT: script },
      },
    );
    // The 256 saves of the first transaction are lost when the 257th starts a new one; that one is not.
    expect(child.stdout).toContain('the 256th save lost when it returned: false');
    expect(child.stdout).toContain('lost before the next save returned: 256 number');
    // Its own transaction fails at exit, where a warning would never print.
    expect(child.stderr).toMatch(/^frugal-cascade: the cache store .* could not keep the 1 answers saved last/);
    expect(child.status).toBe(0);
  });

  it('commits what it saved when the process exits before the turn ends', () => {
    const folder = tempDir();
    const storeModule = fileURLToPath(new URL('../../dist/src/cache/cache-store.js', import.meta.url));
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { CacheStore } = await import(${JSON.stringify(storeModule)});
         const store = new CacheStore(${JSON.stringify(folder)});
         for (const key of ['x', 'y']) store.put({ namespace: 'n', key, context: 'c', query: key, answer: { text: key } }, Date.now());
         process.exit(3);`,
      ],
      { encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(3);
    const reopened = new CacheStore(folder);
    expect(['x', 'y'].map((key) => reopened.get('n', key, Date.now())?.query)).toEqual(['x', 'y']);
    reopened.close();
  });

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
