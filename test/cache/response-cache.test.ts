import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { createLexicalEmbedder } from '../../src/embed/lexical-embedder.js';
import { dotProduct, type Embedder, normalizeVector } from '../../src/spec/embedder.js';
import type { CascadeRequest } from '../../src/spec/request.js';
import type { CascadeResult } from '../../src/spec/result.js';
import { tempDir } from '../helpers/replay-fixture.js';

const ask = (content: string, extra: Partial<CascadeRequest> = {}): CascadeRequest => ({
  messages: [
    { role: 'system', content: 'You answer support questions.' },
    { role: 'user', content },
  ],
  ...extra,
});
const answered = (text: string, overrides: Partial<CascadeResult> = {}): CascadeResult => ({
  text,
  tier: 'cheap',
  model: 'gpt-4o-mini',
  accepted: true,
  stop: 'accepted',
  costUsd: 0.002,
  latencyMs: 800,
  trace: [],
  ...overrides,
});

function cacheWith(options: Partial<ConstructorParameters<typeof ResponseCache>[0]> = {}) {
  return new ResponseCache({
    namespace: 'tickets',
    cascadeFingerprint: 'cascade-a',
    semantic: { embedder: createLexicalEmbedder(), threshold: 0.9 },
    ...options,
  });
}

/** Look up; on a miss, store `answer` as the cascade would. Returns the lookup's result or outcome. */
async function through(cache: ResponseCache, request: CascadeRequest, answer = answered('stored answer')) {
  const lookup = await cache.lookup(request);
  if ('hit' in lookup) return lookup.hit;
  cache.save(lookup, answer);
  return { ...answer, cache: lookup.miss };
}

describe('response cache', () => {
  it('serves an identical request exactly, with the tier, model and time it was made, at no cost', async () => {
    const cache = cacheWith();
    expect((await through(cache, ask('How do I reset my password?'))).cache).toEqual({ kind: 'miss' });
    const hit = await through(cache, ask('How do I reset my password?'), answered('never used'));
    expect(hit).toMatchObject({
      text: 'stored answer',
      tier: 'cheap',
      model: 'gpt-4o-mini',
      costUsd: 0,
      stop: 'accepted',
      cache: { kind: 'exact', savedUsd: 0.002 },
    });
    expect(Date.parse(hit.cache!.storedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('serves a rewording semantically and says how similar it was', async () => {
    const cache = cacheWith();
    await through(cache, ask('How do I reset my password?'));
    const hit = await through(cache, ask('how do i reset my password'));
    expect(hit.cache).toMatchObject({ kind: 'semantic', matched: 'How do I reset my password?' });
    expect(hit.cache!.similarity).toBeGreaterThanOrEqual(0.9);
  });

  it("decides and reports a hit in a large context by the exact similarity, not the graph's half-precision one", async () => {
    const dimensions = 64;
    let state = 12345;
    const random = () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return state / 2 ** 32 - 0.5;
    };
    const base = new Map<string, Float32Array>();
    let next: Float32Array | undefined;
    // Each question gets a random unit vector; a lookup can be given the vector it is to embed as.
    const embedder: Embedder = {
      specificationVersion: 'v1',
      name: 'test-random',
      async embed(texts) {
        const vectors = texts.map((text) => {
          if (next) return next;
          const known = base.get(text);
          if (known) return known;
          const vector = normalizeVector(Array.from({ length: dimensions }, random));
          base.set(text, vector);
          return vector;
        });
        return { vectors, costUsd: 0 };
      },
    };
    const threshold = 0.95;
    const cache = cacheWith({ semantic: { embedder, threshold } });
    // More than 2,048 entries in one context: it is searched through a graph.
    const questions = Array.from({ length: 2100 }, (_, index) => `Question number ${index} about the invoice?`);
    for (const question of questions) await through(cache, ask(question));
    const stored = [...base.values()];
    /** A unit vector whose exact similarity to `vector` is `similarity`. */
    const near = (vector: Float32Array, similarity: number) => {
      const noise = normalizeVector(Array.from({ length: dimensions }, random));
      const along = dotProduct(noise, vector);
      const across = normalizeVector(noise.map((value, index) => value - along * vector[index]!));
      const sine = Math.sqrt(1 - similarity ** 2);
      return normalizeVector(vector.map((value, index) => similarity * value + sine * across[index]!));
    };
    const round = (value: number) => Math.round(value * 10_000) / 10_000;
    // Entries added one at a time after the move into the graph: a bulk insert (the move) leaves a few
    // entries in a thousand that a search does not reach, a different few each run.
    const asked = (index: number) => 2048 + index;
    for (let index = 0; index < 40; index++) {
      const target = stored[asked(index)]!;
      next = near(target, 0.96 + index * 0.0009);
      const hit = await through(cache, ask(questions[asked(index)]!.replace('?', '!')), answered('fresh'));
      expect(hit.cache).toMatchObject({ kind: 'semantic', matched: questions[asked(index)] });
      expect(hit.cache!.similarity).toBe(round(dotProduct(next, target)));
    }
    // Just above and just below the threshold, closer to it than the graph's rounding.
    for (const [offset, kind] of [
      [0.0002, 'semantic'],
      [-0.0002, 'miss'],
    ] as const) {
      next = near(stored[asked(45)]!, threshold + offset);
      const exact = dotProduct(next, stored[asked(45)]!);
      expect(exact >= threshold).toBe(kind === 'semantic');
      const outcome = await through(cache, ask(questions[asked(45)]!.replace('?', '.')), answered('fresh'));
      expect(outcome.cache!.kind).toBe(kind);
    }
  });

  it('refuses close questions that a guard catches, and reports the refusal', async () => {
    // A threshold of 0.8 lets more candidates through to the guards; they still refuse these.
    const cache = cacheWith({ semantic: { embedder: createLexicalEmbedder(), threshold: 0.8 } });
    await through(cache, ask('Is it safe to take ibuprofen with alcohol?'));
    const negated = await through(cache, ask('Is it not safe to take ibuprofen with alcohol?'), answered('fresh'));
    expect(negated.text).toBe('fresh');
    expect(negated.cache).toMatchObject({
      kind: 'miss',
      refused: [{ guard: 'negation', reason: 'negation differs (not vs none)' }],
    });
    await through(cache, ask('Please send me the invoice for order 1234 from last month'));
    const otherOrder = await through(
      cache,
      ask('Please send me the invoice for order 1235 from last month'),
      answered('fresh'),
    );
    expect(otherOrder.text).toBe('fresh');
    expect(otherOrder.cache).toMatchObject({
      kind: 'miss',
      refused: [{ guard: 'numbers', reason: 'numbers differ (1235 vs 1234)' }],
    });
  });

  it('never serves across a different system prompt, output schema, parameters or earlier turns', async () => {
    const cache = cacheWith();
    const question = 'How do I reset my password?';
    await through(cache, ask(question));
    const variants: CascadeRequest[] = [
      {
        messages: [
          { role: 'system', content: 'You answer in French.' },
          { role: 'user', content: question },
        ],
      },
      ask(question, { outputSchema: { type: 'object', required: ['steps'] } }),
      ask(question, { params: { temperature: 1 } }),
      {
        messages: [
          { role: 'system', content: 'You answer support questions.' },
          { role: 'user', content: 'I use the mobile app.' },
          { role: 'assistant', content: 'Noted.' },
          { role: 'user', content: question },
        ],
      },
    ];
    for (const request of variants) {
      expect((await cache.lookup(request)) as object).not.toHaveProperty('hit');
    }
  });

  it('GPTCache #8: the same follow-up after another first question is not served', async () => {
    const cache = cacheWith();
    const conversation = (company: string): CascadeRequest => ({
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: `who is the CEO of ${company}?` },
        { role: 'user', content: 'how old is him/her' },
      ],
    });
    await through(cache, conversation('OpenAI'), answered('Sam Altman was born in 1985.'));
    expect(await cache.lookup(conversation('OpenAI'))).toHaveProperty('hit');
    expect(await cache.lookup(conversation('APPLE'))).not.toHaveProperty('hit');
  });

  it('stores only accepted answers', async () => {
    const cache = cacheWith();
    await through(cache, ask('Question one?'), answered('unsure', { accepted: false, stop: 'exhausted' }));
    await through(cache, ask('Question two?'), answered('', { stop: 'budget', accepted: false }));
    expect(await cache.lookup(ask('Question one?'))).not.toHaveProperty('hit');
    expect(await cache.lookup(ask('Question two?'))).not.toHaveProperty('hit');
  });

  it('keeps namespaces and cascades apart', async () => {
    const folder = tempDir();
    const first = cacheWith({ store: folder });
    await through(first, ask('How do I reset my password?'));
    first.close();
    const otherTenant = cacheWith({ store: folder, namespace: 'billing' });
    expect(await otherTenant.lookup(ask('How do I reset my password?'))).not.toHaveProperty('hit');
    otherTenant.close();
    const otherCascade = cacheWith({ store: folder, cascadeFingerprint: 'cascade-b' });
    expect(await otherCascade.lookup(ask('How do I reset my password?'))).not.toHaveProperty('hit');
    otherCascade.close();
  });

  it('survives a restart: a new instance on the same store serves exact and semantic hits', async () => {
    const folder = tempDir();
    const first = cacheWith({ store: folder });
    await through(first, ask('How do I export my data to CSV?'));
    first.close();
    const second = cacheWith({ store: folder });
    expect(await through(second, ask('How do I export my data to CSV?'))).toMatchObject({ cache: { kind: 'exact' } });
    expect(await through(second, ask('how do I export my data to CSV'))).toMatchObject({ cache: { kind: 'semantic' } });
    second.close();
  });

  it('reloads the saved vector graph, and rebuilds it when a process died before saving', async () => {
    const { readdirSync } = await import('node:fs');
    const folder = tempDir();
    const first = cacheWith({ store: folder });
    await through(first, ask('How do I export my data to CSV?'));
    first.close();
    expect(readdirSync(folder).filter((name) => name.endsWith('.hnsw'))).toHaveLength(1);
    // This process stores an entry and dies: the saved graph no longer covers the store.
    const crashed = cacheWith({ store: folder });
    await through(crashed, ask('Where can I download my invoices?'));
    crashed.store.close();
    const third = cacheWith({ store: folder });
    expect(await through(third, ask('where can i download my invoices'))).toMatchObject({
      cache: { kind: 'semantic', matched: 'Where can I download my invoices?' },
    });
    expect(await through(third, ask('how do I export my data to CSV'))).toMatchObject({ cache: { kind: 'semantic' } });
    third.close();
  });

  it('expires entries after ttlSeconds, in memory and in the store', async () => {
    let now = 1_000_000;
    const folder = tempDir();
    const cache = cacheWith({ store: folder, ttlSeconds: 60, now: () => now });
    await through(cache, ask('How do I reset my password?'));
    now += 59_000;
    expect(await cache.lookup(ask('How do I reset my password?'))).toHaveProperty('hit');
    now += 2_000;
    expect(await cache.lookup(ask('How do I reset my password?'))).not.toHaveProperty('hit');
    expect(await cache.lookup(ask('how do i reset my password'))).not.toHaveProperty('hit');
    cache.close();
  });

  it('keeps at most maxEntries per namespace, dropping the oldest', async () => {
    const cache = cacheWith({ maxEntries: 50 });
    for (let index = 0; index < 120; index++) await through(cache, ask(`Where is parcel ${index}?`));
    const [stats] = cache.store.stats();
    expect(stats!.entries).toBeLessThanOrEqual(50);
    expect(await cache.lookup(ask('Where is parcel 119?'))).toHaveProperty('hit');
    expect(await cache.lookup(ask('Where is parcel 0?'))).not.toHaveProperty('hit');
  });
});

describe('repeats in flight together', () => {
  it('are answered by one call: the others wait for it and are served as exact hits', async () => {
    const { startLoopbackServer } = await import('../helpers/loopback-server.js');
    const { openAIChat } = await import('../helpers/wire.js');
    const { createCascade } = await import('../../src/config/load-cascade.js');
    const server = await startLoopbackServer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return {
        json: openAIChat('Settings > Security > Reset password.', { promptTokens: 1000, completionTokens: 200 }),
      };
    });
    try {
      const cascade = await createCascade({
        name: 'support',
        cache: { namespace: 'support' },
        tiers: [{ name: 'only', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1` }],
      });
      const results = await Promise.all(
        Array.from({ length: 5 }, () => cascade.run(ask('How do I reset my password?'))),
      );
      expect(server.requests).toHaveLength(1);
      expect(results.filter((result) => result.cache?.kind === 'miss')).toHaveLength(1);
      const served = results.filter((result) => result.cache?.kind === 'exact');
      expect(served).toHaveLength(4);
      expect(served[0]).toMatchObject({
        text: 'Settings > Security > Reset password.',
        costUsd: 0,
        model: 'gpt-4o-mini',
      });
      expect(served[0]!.cache!.savedUsd).toBeGreaterThan(0);
      cascade.close();
    } finally {
      await server.close();
    }
  });
});

describe('a paid embedder', () => {
  it('adds what embedding the question cost to the result, on a miss and on a hit', async () => {
    const { startLoopbackServer } = await import('../helpers/loopback-server.js');
    const { openAIChat } = await import('../helpers/wire.js');
    const { createCascade } = await import('../../src/config/load-cascade.js');
    const server = await startLoopbackServer((incoming) =>
      incoming.path === '/v1/embeddings'
        ? {
            json: {
              object: 'list',
              model: 'text-embedding-3-small',
              data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8] }],
              usage: { prompt_tokens: 1000, total_tokens: 1000 },
            },
          }
        : { json: openAIChat('Use Settings > Security.', { promptTokens: 100, completionTokens: 10 }) },
    );
    try {
      const cascade = await createCascade({
        name: 'support',
        cache: {
          namespace: 'support',
          semantic: {
            embedder: { provider: 'openai', model: 'text-embedding-3-small', baseURL: `${server.url}/v1` },
            threshold: 0.9,
          },
        },
        tiers: [{ name: 'only', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1` }],
      });
      const embedCost = (1000 * 0.02) / 1e6;
      const chatCost = (100 * 0.15 + 10 * 0.6) / 1e6;
      const miss = await cascade.run(ask('How do I reset my password?'));
      expect(miss.cache).toMatchObject({ kind: 'miss', embedCostUsd: embedCost });
      expect(miss.costUsd).toBeCloseTo(chatCost + embedCost, 15);
      const hit = await cascade.run(ask('how do i reset my password'));
      expect(hit.cache).toMatchObject({ kind: 'semantic', embedCostUsd: embedCost });
      expect(hit.costUsd).toBeCloseTo(embedCost, 15);
      expect(server.requests.map((request) => request.path)).toEqual([
        '/v1/embeddings',
        '/v1/chat/completions',
        '/v1/embeddings',
      ]);
      cascade.close();
    } finally {
      await server.close();
    }
  });
});

describe('an embedder that hangs', () => {
  it('is cut by the cascade timeout and retried like a model call; the item is answered by the tiers', async () => {
    const { startLoopbackServer } = await import('../helpers/loopback-server.js');
    const { openAIChat } = await import('../helpers/wire.js');
    const { createCascade } = await import('../../src/config/load-cascade.js');
    const server = await startLoopbackServer((incoming) =>
      incoming.path === '/v1/embeddings' ? { hang: true } : { json: openAIChat('Use Settings > Security.') },
    );
    try {
      const cascade = await createCascade({
        name: 'support',
        retry: { baseDelayMs: 0, maxDelayMs: 0 },
        cache: {
          namespace: 'support',
          semantic: {
            embedder: {
              provider: 'openai',
              model: 'text-embedding-3-small',
              baseURL: `${server.url}/v1`,
              timeoutMs: 2000,
              maxRetries: 1,
            },
            threshold: 0.9,
          },
        },
        tiers: [{ name: 'only', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1` }],
      });
      const result = await cascade.run(ask('How do I reset my password?'));
      expect(result).toMatchObject({ text: 'Use Settings > Security.', stop: 'accepted' });
      expect(result.cache).toMatchObject({ kind: 'miss', error: expect.stringMatching(/2000 ms/) });
      // The first try and one retry, then the tier's call.
      expect(server.requests.map((request) => request.path)).toEqual([
        '/v1/embeddings',
        '/v1/embeddings',
        '/v1/chat/completions',
      ]);
      cascade.close();
    } finally {
      await server.close();
    }
  });
});
