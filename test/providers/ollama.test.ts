import { afterEach, describe, expect, it } from 'vitest';
import { callWithRetries, defaultRetryOptions, RetriesExhaustedError } from '../../src/middleware/retry-policy.js';
import {
  ApiStatusError,
  ConnectionError,
  MalformedResponseError,
  ProviderError,
  TimeoutError,
} from '../../src/errors/index.js';
import { createOllamaProvider } from '../../src/providers/ollama.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { ollamaChat } from '../helpers/wire.js';

const request = { messages: [{ role: 'user' as const, content: 'Say hi' }], params: { maxTokens: 64, temperature: 0 } };
let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

const provider = (host: string, model = 'llama3.2:3b') =>
  createOllamaProvider({ model, label: 'tier "local"', host, env: {} });

describe('ollama provider over /api/chat', () => {
  it('posts a non-streaming chat with options and a JSON-schema format, and is free by default', async () => {
    server = await startLoopbackServer(() => ({
      json: ollamaChat('{"ok":true}', { promptEvalCount: 40, evalCount: 6 }),
    }));
    const completion = await provider(server.url).complete({ ...request, outputSchema: { type: 'object' } });
    expect(completion).toMatchObject({ text: '{"ok":true}', usage: { inputTokens: 40, outputTokens: 6 }, costUsd: 0 });
    const sent = server.requests[0]!;
    expect(sent.path).toBe('/api/chat');
    expect(sent.body).toMatchObject({
      model: 'llama3.2:3b',
      stream: false,
      format: { type: 'object' },
      options: { num_predict: 64, temperature: 0 },
    });
  });

  it('streams the answer as it comes when asked for deltas: the rest is sent only after the first delta arrived', async () => {
    let firstDelta!: () => void;
    const arrived = new Promise<void>((resolve) => (firstDelta = resolve));
    server = await startLoopbackServer(() => ({
      ndjson: async (send) => {
        const chunk = (content: string, extra: Record<string, unknown> = {}) => ({
          model: 'llama3.2:3b',
          created_at: '2026-12-02T10:00:00Z',
          message: { role: 'assistant', content },
          done: false,
          ...extra,
        });
        send(chunk('Hel'));
        await arrived;
        send(chunk('lo'));
        send(chunk('', { done: true, done_reason: 'stop', prompt_eval_count: 12, eval_count: 2 }));
        return 'end';
      },
    }));
    const deltas: string[] = [];
    const completion = await provider(server.url).complete(request, {
      onDelta: (text) => {
        deltas.push(text);
        firstDelta();
      },
    });
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(completion).toMatchObject({ text: 'Hello', usage: { inputTokens: 12, outputTokens: 2 } });
    expect(server.requests[0]!.body.stream).toBe(true);
  });

  it('takes the host from OLLAMA_HOST when the tier names none', async () => {
    server = await startLoopbackServer(() => ({ json: ollamaChat('hi') }));
    const fromEnv = createOllamaProvider({
      model: 'llama3.2:3b',
      label: 'tier "local"',
      env: { OLLAMA_HOST: server.url },
    });
    expect((await fromEnv.complete(request)).text).toBe('hi');
  });

  it('names `ollama pull` when the model is not on the server', async () => {
    server = await startLoopbackServer(() => ({ status: 404, json: { error: "model 'qwen9:1b' not found" } }));
    const error = await provider(server.url, 'qwen9:1b')
      .complete(request)
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('ollama pull qwen9:1b');
  });

  it('names OLLAMA_HOST when no server listens', async () => {
    server = await startLoopbackServer(() => ({ json: {} }));
    const closedUrl = server.url;
    await server.close();
    server = undefined;
    const error = await provider(closedUrl)
      .complete(request)
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain('OLLAMA_HOST');
  });

  it('maps 429 and 500 to retryable status errors, and a malformed body to MalformedResponseError', async () => {
    server = await startLoopbackServer(
      (_request, index) =>
        [{ status: 429, json: { error: 'busy' } }, { status: 500, json: { error: 'boom' } }, { raw: '{"message": {' }][
          index
        ]!,
    );
    await expect(provider(server.url).complete(request)).rejects.toMatchObject({ statusCode: 429, isRetryable: true });
    const second = await provider(server.url)
      .complete(request)
      .catch((caught) => caught);
    expect(second).toBeInstanceOf(ApiStatusError);
    expect(second.statusCode).toBe(500);
    await expect(provider(server.url).complete(request)).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('times out a hanging server', async () => {
    server = await startLoopbackServer(() => ({ hang: true }));
    const ollama = provider(server.url);
    const error = await callWithRetries((attempt) => ollama.complete(request, { signal: attempt.signal }), {
      ...defaultRetryOptions,
      timeoutMs: 150,
      maxRetries: 0,
    }).catch((caught) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.lastError).toBeInstanceOf(TimeoutError);
  });
});
