import { afterEach, describe, expect, it } from 'vitest';
import { callWithRetries, defaultRetryOptions, RetriesExhaustedError } from '../../src/middleware/retry-policy.js';
import {
  ApiStatusError,
  MalformedResponseError,
  TimeoutError,
  UnexpectedResponseError,
} from '../../src/errors/index.js';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { anthropicError, anthropicMessage } from '../helpers/wire.js';

const env = { TEST_ANTHROPIC_KEY: 'sk-ant-test-0123456789abcdef' };
const request = {
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'Say hi' },
  ],
};
let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

const provider = (url: string) =>
  createAnthropicProvider({
    model: 'claude-haiku-4-5',
    label: 'tier "strong"',
    apiKeyEnv: 'TEST_ANTHROPIC_KEY',
    baseURL: url,
    env,
  });

describe('anthropic provider over the messages wire protocol', () => {
  it('maps an overloaded error event inside a stream to a retryable 529', async () => {
    server = await startLoopbackServer(() => ({
      sse: async (send) => {
        send(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), 'error');
        return 'end';
      },
    }));
    const error = await provider(server.url)
      .complete(request, { onDelta: () => undefined })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(ApiStatusError);
    expect(error).toMatchObject({ statusCode: 529, isRetryable: true });
  });

  it('streams the answer as it comes when asked for deltas: the rest is sent only after the first delta arrived', async () => {
    let firstDelta!: () => void;
    const arrived = new Promise<void>((resolve) => (firstDelta = resolve));
    server = await startLoopbackServer(() => ({
      sse: async (send) => {
        const event = (type: string, body: Record<string, unknown>) => send(JSON.stringify({ type, ...body }), type);
        event('message_start', {
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-haiku-4-5',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 21, output_tokens: 1 },
          },
        });
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } });
        await arrived;
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'lo' } });
        event('content_block_stop', { index: 0 });
        event('message_delta', {
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 3 },
        });
        event('message_stop', {});
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
    expect(completion).toMatchObject({ text: 'Hello', usage: { inputTokens: 21, outputTokens: 3 } });
    expect(server.requests[0]!.body).toMatchObject({ stream: true, system: 'Be brief.' });
  });

  it('sends system apart from the turns, requires max_tokens, and reads text, usage and cost', async () => {
    server = await startLoopbackServer(() => ({
      json: anthropicMessage('Hi.', { inputTokens: 2000, outputTokens: 100 }),
    }));
    const completion = await provider(server.url).complete(request);
    expect(completion.text).toBe('Hi.');
    expect(completion.usage).toEqual({ inputTokens: 2000, outputTokens: 100 });
    expect(completion.costUsd).toBeCloseTo((2000 * 1 + 100 * 5) / 1e6, 12);
    const sent = server.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers.authorization).toBe(`Bearer ${env.TEST_ANTHROPIC_KEY}`);
    expect(sent.body).toMatchObject({
      model: 'claude-haiku-4-5',
      system: 'Be brief.',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Say hi' }],
    });
  });

  it('treats content: [] as no answer (an error the cascade falls back on), as OpenAI and Ollama do', async () => {
    server = await startLoopbackServer(() => ({ json: { ...anthropicMessage('x'), content: [] } }));
    await expect(provider(server.url).complete(request)).rejects.toThrow(UnexpectedResponseError);
    await expect(provider(server.url).complete(request)).rejects.toThrow(
      'anthropic claude-haiku-4-5: the response has no text block',
    );
  });

  it('states the output schema in the system prompt', async () => {
    server = await startLoopbackServer(() => ({ json: anthropicMessage('{}') }));
    await provider(server.url).complete({ ...request, outputSchema: { type: 'object', required: ['x'] } });
    expect(server.requests[0]!.body.system).toContain('{"type":"object","required":["x"]}');
  });

  it('maps 429 with retry-after, 529 overloaded and 500 to retryable errors', async () => {
    const statuses = [429, 529, 500];
    server = await startLoopbackServer((_request, index) => ({
      status: statuses[index]!,
      headers: index === 0 ? { 'retry-after': '1' } : ({} as Record<string, string>),
      json: anthropicError('try later', index === 0 ? 'rate_limit_error' : 'overloaded_error'),
    }));
    const errors = [];
    for (let index = 0; index < 3; index++)
      errors.push(
        await provider(server.url)
          .complete(request)
          .catch((caught) => caught),
      );
    expect(errors[0]).toBeInstanceOf(ApiStatusError);
    expect(errors[0]).toMatchObject({ statusCode: 429, retryAfterMs: 1000, isRetryable: true });
    expect(errors[1]).toMatchObject({ statusCode: 529, isRetryable: true });
    expect(errors[2]).toMatchObject({ statusCode: 500, isRetryable: true });
  });

  it('reports a malformed body and a body without content', async () => {
    server = await startLoopbackServer((_request, index) =>
      index === 0 ? { raw: '{"type":"message","content":[{"type"' } : { json: { type: 'message', role: 'assistant' } },
    );
    await expect(provider(server.url).complete(request)).rejects.toBeInstanceOf(MalformedResponseError);
    await expect(provider(server.url).complete(request)).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it('times out a hanging server', async () => {
    server = await startLoopbackServer(() => ({ hang: true }));
    const anthropic = provider(server.url);
    const error = await callWithRetries((attempt) => anthropic.complete(request, { signal: attempt.signal }), {
      ...defaultRetryOptions,
      timeoutMs: 150,
      maxRetries: 0,
    }).catch((caught) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.lastError).toBeInstanceOf(TimeoutError);
  });
});
