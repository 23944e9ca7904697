import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryMiddleware } from '../../src/middleware/retry-middleware.js';
import { wrapProvider } from '../../src/middleware/wrap-provider.js';
import type { ProviderMiddleware } from '../../src/spec/middleware.js';
import { callWithRetries, defaultRetryOptions, RetriesExhaustedError } from '../../src/middleware/retry-policy.js';
import {
  ApiStatusError,
  MalformedResponseError,
  MissingApiKeyError,
  TimeoutError,
  UnexpectedResponseError,
} from '../../src/errors/index.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { openAIChat, openAIError } from '../helpers/wire.js';

const env = { TEST_OPENAI_KEY: 'sk-test-0123456789abcdef' };
const request = { messages: [{ role: 'user' as const, content: 'Say hi' }], params: { maxTokens: 50 } };
let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

function provider(url: string, model = 'gpt-4o-mini') {
  return createOpenAIProvider({
    model,
    label: 'tier "cheap"',
    apiKeyEnv: 'TEST_OPENAI_KEY',
    baseURL: `${url}/v1`,
    env,
  });
}

describe('openai provider over the chat-completions wire protocol', () => {
  it('sends the request and reads text, usage, cost and the key from the environment', async () => {
    server = await startLoopbackServer(() => ({
      json: openAIChat('hi there', { promptTokens: 1000, completionTokens: 500 }),
    }));
    const completion = await provider(server.url).complete(request);
    expect(completion.text).toBe('hi there');
    expect(completion.usage).toEqual({ inputTokens: 1000, outputTokens: 500 });
    // gpt-4o-mini list price: $0.15 in, $0.60 out per million tokens.
    expect(completion.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
    const sent = server.requests[0]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test-0123456789abcdef');
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', messages: request.messages, max_tokens: 50 });
  });

  it('asks for log-probabilities and a JSON schema when the request needs them, and turns logprobs into a confidence', async () => {
    server = await startLoopbackServer(() => ({
      json: openAIChat('{"a":1}', { logprobs: [Math.log(0.9), Math.log(0.8)] }),
    }));
    const completion = await provider(server.url).complete({
      ...request,
      outputSchema: { type: 'object' },
      params: { logprobs: true },
    });
    expect(completion.confidence).toBeCloseTo(Math.sqrt(0.9 * 0.8), 10);
    expect(completion.confidenceSource).toBe('logprobs');
    expect(server.requests[0]!.body.logprobs).toBe(true);
    expect(server.requests[0]!.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' } },
    });
  });

  it('turns 429 with retry-after into a retryable error that carries the wait', async () => {
    server = await startLoopbackServer(() => ({
      status: 429,
      headers: { 'retry-after': '2' },
      json: openAIError('Rate limit reached', 'rate_limit_exceeded'),
    }));
    const error = await provider(server.url)
      .complete(request)
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(ApiStatusError);
    expect(error).toMatchObject({ statusCode: 429, isRetryable: true, retryAfterMs: 2000 });
  });

  it('turns 429 without retry-after and 500 into retryable errors without a wait', async () => {
    server = await startLoopbackServer((_request, index) => ({
      status: index === 0 ? 429 : 500,
      json: openAIError('busy'),
    }));
    const first = await provider(server.url)
      .complete(request)
      .catch((caught) => caught);
    const second = await provider(server.url)
      .complete(request)
      .catch((caught) => caught);
    expect(first).toMatchObject({ statusCode: 429, isRetryable: true, retryAfterMs: undefined });
    expect(second).toMatchObject({ statusCode: 500, isRetryable: true });
  });

  it('does not retry a 400', async () => {
    server = await startLoopbackServer(() => ({
      status: 400,
      json: openAIError('bad request', 'invalid_request_error'),
    }));
    const error = await provider(server.url)
      .complete(request)
      .catch((caught) => caught);
    expect(error).toMatchObject({ statusCode: 400, isRetryable: false });
  });

  it('reports a malformed body and a body of the wrong shape', async () => {
    server = await startLoopbackServer((_request, index) =>
      index === 0 ? { raw: '{"choices": [' } : { json: { object: 'chat.completion', choices: [] } },
    );
    await expect(provider(server.url).complete(request)).rejects.toBeInstanceOf(MalformedResponseError);
    await expect(provider(server.url).complete(request)).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it('times out a hanging server through the retry policy and retries it', async () => {
    server = await startLoopbackServer(() => ({ hang: true }));
    const openai = provider(server.url);
    const error = await callWithRetries((attempt) => openai.complete(request, { signal: attempt.signal }), {
      ...defaultRetryOptions,
      timeoutMs: 150,
      maxRetries: 1,
      baseDelayMs: 1,
    }).catch((caught) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.lastError).toBeInstanceOf(TimeoutError);
    expect(error.retries).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it("behind the retry layer, cuts a hanging request at the tier's timeout, with a middleware copying the call's options or without", async () => {
    const closed: number[] = [];
    const hanging: Server = createServer(() => undefined);
    hanging.on('connection', (socket) => socket.on('close', () => closed.push(closed.length)));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    // A middleware of the user's inside the retry layer, handing on a copy of the options (with the
    // try's signal read into it): the copy leaves the try's AbortWatch behind, and the signal aborts.
    const copying: ProviderMiddleware = {
      name: 'copy',
      wrapComplete: (next, request, options) => next(request, { ...options }),
    };
    try {
      for (const inner of [[], [copying]]) {
        const stack = wrapProvider(provider(url), [
          retryMiddleware({ ...defaultRetryOptions, timeoutMs: 150, maxRetries: 0 }),
          ...inner,
        ]);
        const error = await stack.complete(request).catch((caught) => caught);
        expect(error).toBeInstanceOf(RetriesExhaustedError);
        expect(error.lastError).toBeInstanceOf(TimeoutError);
      }
      // Each request's connection was closed by the client, not left hanging until the server closes.
      await vi.waitFor(() => expect(closed).toHaveLength(2), { timeout: 15_000, interval: 20 });
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });

  it('reads the key at the first call and names the variable when it is missing', async () => {
    const openai = createOpenAIProvider({
      model: 'gpt-4o-mini',
      label: 'tier "cheap"',
      apiKeyEnv: 'NOT_SET_ANYWHERE',
      env: {},
    });
    const error = await openai.complete(request).catch((caught) => caught);
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect(error.message).toContain('NOT_SET_ANYWHERE');
  });

  it('redacts the key when the server echoes it in an error', async () => {
    server = await startLoopbackServer((incoming) => ({
      status: 401,
      json: openAIError(
        `Incorrect API key provided: ${String(incoming.headers.authorization).slice(7)}`,
        'invalid_request_error',
      ),
    }));
    const error = await provider(server.url)
      .complete(request)
      .catch((caught) => caught);
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(env.TEST_OPENAI_KEY);
  });
});
