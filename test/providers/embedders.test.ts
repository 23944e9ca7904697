import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaEmbedder } from '../../src/embed/ollama-embedder.js';
import { createOpenAIEmbedder } from '../../src/embed/openai-embedder.js';
import { ConnectionError, ProviderError } from '../../src/errors/index.js';
import { createOllamaProvider } from '../../src/providers/ollama.js';
import { startFakeOllama, type FakeOllamaServer } from '../helpers/fake-ollama-server.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';

const servers: (FakeOllamaServer | LoopbackServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const norm = (vector: Float32Array) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

describe("embedders over the providers' wire protocols", () => {
  it('ollama: one /api/embed call for a batch, unit-length vectors in input order', async () => {
    const ollama = await startFakeOllama({ models: ['nomic-embed-text'], answer: () => '' });
    servers.push(ollama);
    const embedder = createOllamaEmbedder({ model: 'nomic-embed-text', host: ollama.url });
    const {
      vectors: [a, b, again],
      costUsd,
    } = await embedder.embed(['reset my password', 'cancel my plan', 'reset my password']);
    expect(costUsd).toBe(0);
    expect(ollama.requests).toEqual([
      {
        method: 'POST',
        path: '/api/embed',
        body: expect.objectContaining({
          model: 'nomic-embed-text',
          input: ['reset my password', 'cancel my plan', 'reset my password'],
        }),
      },
    ]);
    expect(a).toHaveLength(16);
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(Array.from(again!)).toEqual(Array.from(a!));
    expect(Array.from(b!)).not.toEqual(Array.from(a!));
    expect(embedder.name).toBe('ollama:nomic-embed-text');
  });

  it('ollama: names `ollama pull` for a model not pulled, and OLLAMA_HOST when nothing listens', async () => {
    const ollama = await startFakeOllama({ models: [], answer: () => '' });
    servers.push(ollama);
    const missing = await createOllamaEmbedder({ model: 'nomic-embed-text', host: ollama.url })
      .embed(['x'])
      .catch((error) => error);
    expect(missing).toBeInstanceOf(ProviderError);
    expect(missing.message).toContain('ollama pull nomic-embed-text');
    const url = ollama.url;
    await servers.pop()!.close();
    const down = await createOllamaEmbedder({ model: 'nomic-embed-text', env: { OLLAMA_HOST: url } })
      .embed(['x'])
      .catch((error) => error);
    expect(down).toBeInstanceOf(ConnectionError);
    expect(down.message).toContain('OLLAMA_HOST');
  });

  it("ollama chat: the fake server's log-probabilities become the completion's confidence", async () => {
    const ollama = await startFakeOllama({ models: ['llama3.2:3b'], answer: () => 'B', logprobs: [Math.log(0.9)] });
    servers.push(ollama);
    const completion = await createOllamaProvider({
      model: 'llama3.2:3b',
      label: 'tier "local"',
      host: ollama.url,
    }).complete({ messages: [{ role: 'user', content: 'A or B?' }], params: { logprobs: true } });
    expect(completion).toMatchObject({ text: 'B', confidenceSource: 'logprobs' });
    expect(completion.confidence).toBeCloseTo(0.9, 6);
    expect(ollama.requests[0]!.body).toMatchObject({ stream: false, logprobs: true });
  });

  it('openai: /v1/embeddings with the key from the environment, reordered by index', async () => {
    const server = await startLoopbackServer((incoming) => ({
      json: {
        object: 'list',
        model: incoming.body.model,
        data: [
          { object: 'embedding', index: 1, embedding: [0, 3, 4] },
          { object: 'embedding', index: 0, embedding: [2, 0, 0] },
        ],
        usage: { prompt_tokens: 6, total_tokens: 6 },
      },
    }));
    servers.push(server);
    const embedder = createOpenAIEmbedder({
      baseURL: `${server.url}/v1`,
      apiKeyEnv: 'EMBED_KEY',
      env: { EMBED_KEY: 'sk-embed-test' },
    });
    const {
      vectors: [first, second],
      inputTokens,
      costUsd,
    } = await embedder.embed(['first', 'second']);
    expect(inputTokens).toBe(6);
    expect(costUsd).toBeCloseTo((6 * 0.02) / 1e6, 15);
    expect(Array.from(first!)).toEqual([1, 0, 0]);
    expect(Array.from(second!).map((value) => Number(value.toFixed(6)))).toEqual([0, 0.6, 0.8]);
    expect(server.requests[0]).toMatchObject({
      path: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input: ['first', 'second'] },
    });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-embed-test');
  });
});

describe('the fake Ollama server speaks the protocol the official client reads', () => {
  it('streams NDJSON chat and generate chunks, and lists its models', async () => {
    const { Ollama } = await import('ollama');
    const ollama = await startFakeOllama({ models: ['llama3.2:3b'], answer: () => 'a streamed answer of some length' });
    servers.push(ollama);
    const client = new Ollama({ host: ollama.url });
    let chat = '';
    for await (const part of await client.chat({
      model: 'llama3.2:3b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    }))
      chat += part.message.content;
    let generated = '';
    let chunks = 0;
    for await (const part of await client.generate({ model: 'llama3.2:3b', prompt: 'hi', stream: true })) {
      generated += part.response;
      chunks++;
    }
    expect(chat).toBe('a streamed answer of some length');
    expect(generated).toBe(chat);
    expect(chunks).toBeGreaterThan(2);
    expect((await client.list()).models.map((model) => model.name)).toEqual(['llama3.2:3b']);
    await expect(client.chat({ model: 'absent', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status_code: 404,
    });
  });
});
