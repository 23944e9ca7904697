import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeFileName } from '../../src/cache/cache-store.js';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { runCli } from '../../src/cli/program.js';
import { createLexicalEmbedder } from '../../src/embed/lexical-embedder.js';
import type { CascadeRequest } from '../../src/spec/request.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';

const ask = (content: string): CascadeRequest => ({ messages: [{ role: 'user', content }] });
const answer = {
  text: 'Settings > Export.',
  accepted: true,
  stop: 'accepted' as const,
  costUsd: 0.002,
  latencyMs: 1,
  trace: [],
};

function cacheIn(folder: string, notices: string[] = []) {
  return new ResponseCache({
    namespace: 'n',
    cascadeFingerprint: 'c',
    store: folder,
    semantic: { embedder: createLexicalEmbedder(), threshold: 0.9 },
    onNotice: (message) => notices.push(message),
  });
}

async function fill(folder: string, questions: string[]) {
  const cache = cacheIn(folder);
  for (const question of questions) {
    const lookup = await cache.lookup(ask(question));
    if (!('hit' in lookup)) cache.save(lookup, answer);
  }
  cache.close();
}

describe('a damaged cache store', () => {
  it('of random bytes is named, moved aside and replaced, and `cache clear` works on it', async () => {
    const folder = tempDir();
    const file = join(folder, storeFileName);
    writeFileSync(file, randomBytes(8192));
    const io = captureIo();
    expect(await runCli(['cache', 'clear', folder], io)).toBe(0);
    expect(io.err()).toContain(`the cache store ${file} was not a readable database (file is not a database)`);
    expect(readdirSync(folder).some((name) => name.startsWith(`${storeFileName}.damaged-`))).toBe(true);
    // The next process opens the new store without a word.
    const notices: string[] = [];
    const cache = cacheIn(folder, notices);
    expect(await cache.lookup(ask('How do I export my data?'))).not.toHaveProperty('hit');
    cache.close();
    expect(notices).toEqual([]);
  });

  it('cut in half is recovered with a message instead of stopping every run', async () => {
    const folder = tempDir();
    await fill(
      folder,
      Array.from({ length: 300 }, (_, index) => `How do I export report number ${index} as a spreadsheet file?`),
    );
    const file = join(folder, storeFileName);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const notices: string[] = [];
    const cache = cacheIn(folder, notices);
    const lookup = await cache.lookup(ask('How do I export my data?'));
    expect(lookup).not.toHaveProperty('hit');
    if (!('hit' in lookup)) cache.save(lookup, answer);
    expect(await cache.lookup(ask('How do I export my data?'))).toHaveProperty('hit');
    cache.close();
    expect(notices.join('\n')).toMatch(/cache\.sqlite was not a readable database/);
  });
});

describe('a damaged saved vector index', () => {
  it('is refused before the native loader sees it (which crashed the process), rebuilt from the store, and said so', async () => {
    const folder = tempDir();
    await fill(folder, ['How do I export my data to CSV?', 'Where can I download my invoices?']);
    const graph = readdirSync(folder).find((name) => name.endsWith('.hnsw'))!;
    const bytes = readFileSync(join(folder, graph));
    // Scramble the start of the saved index: hnswlib read a header's sizes as given and segfaulted (exit 139).
    bytes.fill(0xff, 0, 40);
    writeFileSync(join(folder, graph), bytes);
    const notices: string[] = [];
    const cache = cacheIn(folder, notices);
    expect(await cache.lookup(ask('how do i export my data to csv'))).toMatchObject({
      hit: { cache: { kind: 'semantic', matched: 'How do I export my data to CSV?' } },
    });
    cache.close();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /saved vector index .*\.hnsw is damaged \((its header says|its checksum).*\); it is rebuilt from the store/,
    );
    // Closing saved a whole graph again: the next process loads it quietly.
    const again: string[] = [];
    const reopened = cacheIn(folder, again);
    expect(await reopened.lookup(ask('where can i download my invoices'))).toHaveProperty('hit');
    reopened.close();
    expect(again).toEqual([]);
    expect(existsSync(join(folder, `${graph}.json`))).toBe(true);
  });
});
