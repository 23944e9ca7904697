import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveCommand } from '../../src/cli/serve-command.js';
import { createCascade } from '../../src/config/load-cascade.js';
import type { Cascade } from '../../src/engine/cascade.js';
import { startServer, type RunningServer } from '../../src/serve/start-server.js';
import { SqliteKeySpend } from '../../src/serve/sqlite-key-spend.js';
import { captureIo } from '../helpers/capture-io.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';
import { openAIChat, openAIError } from '../helpers/wire.js';

let server: RunningServer | undefined;
let provider: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  await provider?.close();
  server = undefined;
  provider = undefined;
});

const question = 'Which team handles a double charge? A) billing B) support C) sales D) legal';

async function mcqCascade(): Promise<Cascade> {
  const fixtures = writeFixture([
    {
      id: 'q1',
      prompt: question,
      responses: { small: { text: 'I think B', costUsd: 0.0001 }, large: { text: 'A', costUsd: 0.002 } },
    },
    {
      id: 'q2',
      prompt: 'Extract the ticket as JSON',
      responses: {
        small: { text: 'ticket: refund', costUsd: 0.0001 },
        large: { text: '{"category":"billing"}', costUsd: 0.002 },
      },
    },
  ]);
  const letter = { type: 'regex', pattern: '^[A-D]$|^[{]' };
  return createCascade({
    name: 'mcq',
    tiers: [
      { name: 'small', provider: 'replay', model: 'small', fixtures, gates: [letter] },
      { name: 'large', provider: 'replay', model: 'large', fixtures },
    ],
  });
}

const client = (url: string, apiKey = 'none') => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });

describe('cascade serve, called by the official OpenAI SDK', () => {
  it('answers a chat completion with the model that answered, and the cascade account in a field and headers', async () => {
    server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), port: 0 });
    const { data, response } = await client(server.url)
      .chat.completions.create({ model: 'mcq', messages: [{ role: 'user', content: question }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('A');
    expect(data.model).toBe('large');
    expect((data as unknown as { cascade: { tier: string; stop: string; cost_usd: number } }).cascade).toMatchObject({
      tier: 'large',
      stop: 'accepted',
      cost_usd: 0.0021,
    });
    expect(response.headers.get('x-cascade-tier')).toBe('large');
    expect(response.headers.get('x-cascade-cost-usd')).toBe('0.0021');
  });

  it('streams only the answer that passed its gates: the rejected draft never reaches the client', async () => {
    server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), port: 0 });
    const stream = await client(server.url).chat.completions.create({
      model: 'mcq',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('A');
    expect(text).not.toContain('I think');
    expect(finish).toBe('stop');
    expect(usage).toHaveProperty('total_tokens');
  });

  /** A gated replay tier that always fails its gate, then an OpenAI tier without gates on a streaming loopback server. */
  async function streamingCascade(url: string) {
    const fixtures = writeFixture([{ id: 'q1', prompt: question, responses: { small: { text: 'I think B' } } }]);
    return createCascade({
      name: 'streamed',
      tiers: [
        { name: 'small', provider: 'replay', model: 'small', fixtures, gates: [{ type: 'regex', pattern: '^[A-D]$' }] },
        { name: 'large', provider: 'openai', model: 'large-model', baseURL: `${url}/v1`, maxRetries: 0 },
      ],
    });
  }
  const sseChunk = (content: string) =>
    JSON.stringify({
      id: 'chatcmpl-up',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'large-model',
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });

  it('goes on serving when a client hangs up in the middle of a stream', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let upstreamEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      upstreamEnded = resolve;
    });
    provider = await startLoopbackServer((_, index) =>
      index === 0
        ? {
            sse: async (send) => {
              send(sseChunk('The answer '));
              await released;
              for (let piece = 0; piece < 50; piece++) send(sseChunk(`more ${piece} `));
              send('[DONE]');
              upstreamEnded();
              return 'end';
            },
          }
        : { json: openAIChat('A', { model: 'large-model' }) },
    );
    server = await startServer({ cascades: new Map([['streamed', await streamingCascade(provider.url)]]), port: 0 });
    const hangUp = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'streamed', messages: [{ role: 'user', content: question }], stream: true }),
      signal: hangUp.signal,
    });
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('The answer')) seen += new TextDecoder().decode((await reader.read()).value);
    hangUp.abort();
    release();
    await ended;
    // The next client is served as usual.
    const next = await client(server.url).chat.completions.create({
      model: 'streamed',
      messages: [{ role: 'user', content: question }],
    });
    expect(next.choices[0]!.message.content).toBe('A');
  });

  it('streams a tier without gates as it generates, after a gated tier rejected its draft unseen', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    provider = await startLoopbackServer(() => ({
      sse: async (send) => {
        send(sseChunk('The answer '));
        // The rest waits until the client has read the first piece: a server that buffered would never get here.
        await released;
        send(sseChunk('is A'));
        send(
          JSON.stringify({
            id: 'chatcmpl-up',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'large-model',
            choices: [],
            usage: { prompt_tokens: 40, completion_tokens: 4, total_tokens: 44 },
          }),
        );
        send('[DONE]');
        return 'end';
      },
    }));
    server = await startServer({ cascades: new Map([['streamed', await streamingCascade(provider.url)]]), port: 0 });
    const stream = await client(server.url).chat.completions.create({
      model: 'streamed',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let account: { tier?: string; stop?: string } | undefined;
    let usage: { total_tokens: number } | undefined;
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        pieces.push(content);
        release();
      }
      account = (chunk as unknown as { cascade?: typeof account }).cascade ?? account;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces).toEqual(['The answer ', 'is A']);
    expect(pieces.join('')).not.toContain('I think');
    expect(account).toMatchObject({ tier: 'large', stop: 'accepted' });
    // The rejected draft's tokens count too.
    expect(usage?.total_tokens).toBeGreaterThan(44);
    expect(provider.requests[0]!.body).toMatchObject({ stream: true });
  });

  it('streams an Ollama tier without gates as it generates, from its JSON lines', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    provider = await startLoopbackServer(() => ({
      ndjson: async (send) => {
        const line = (content: string, done = false) => ({
          model: 'qwen',
          created_at: '2026-12-02T10:00:00Z',
          message: { role: 'assistant', content },
          done,
          ...(done && { done_reason: 'stop', prompt_eval_count: 30, eval_count: 3 }),
        });
        send(line('The answer '));
        await released;
        send(line('is A'));
        send(line('', true));
        return 'end';
      },
    }));
    const cascade = await createCascade({
      name: 'local',
      tiers: [{ name: 'local', provider: 'ollama', model: 'qwen', host: provider.url }],
    });
    server = await startServer({ cascades: new Map([['local', cascade]]), port: 0 });
    const stream = await client(server.url).chat.completions.create({
      model: 'local',
      messages: [{ role: 'user', content: question }],
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        pieces.push(content);
        release();
      }
    }
    expect(pieces).toEqual(['The answer ', 'is A']);
    expect(provider.requests[0]!.body).toMatchObject({ stream: true });
  });

  it('ends a stream that breaks mid-answer with an error event the client reads, and does not fall back', async () => {
    let received!: () => void;
    const clientHasText = new Promise<void>((resolve) => {
      received = resolve;
    });
    provider = await startLoopbackServer(() => ({
      sse: async (send) => {
        send(sseChunk('The answer '));
        // Cut once the text has reached the client, so the break is after the first byte, not before.
        await clientHasText;
        return 'reset';
      },
    }));
    server = await startServer({ cascades: new Map([['streamed', await streamingCascade(provider.url)]]), port: 0 });
    const stream = await client(server.url).chat.completions.create({
      model: 'streamed',
      messages: [{ role: 'user', content: question }],
      stream: true,
    });
    const pieces: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) {
          pieces.push(content);
          received();
        }
      }
    })().catch((caught: unknown) => caught);
    expect(pieces).toEqual(['The answer ']);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as Error).message).toContain('broke off after 11 characters');
    // Tried once: a retry would repeat text the client already has.
    expect(provider.requests).toHaveLength(1);
  });

  it('falls back silently when a streaming call fails before its first byte', async () => {
    provider = await startLoopbackServer((_request, index) =>
      index === 0
        ? { status: 500, json: openAIError('upstream is down') }
        : { sse: async (send) => (send(sseChunk('A')), send('[DONE]'), 'end') },
    );
    const cascade = await createCascade({
      name: 'fallback',
      tiers: [
        { name: 'first', provider: 'openai', model: 'first-model', baseURL: `${provider.url}/v1`, maxRetries: 0 },
        { name: 'second', provider: 'openai', model: 'second-model', baseURL: `${provider.url}/v1`, maxRetries: 0 },
      ],
    });
    server = await startServer({ cascades: new Map([['fallback', cascade]]), port: 0 });
    const stream = await client(server.url).chat.completions.create({
      model: 'fallback',
      messages: [{ role: 'user', content: question }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('A');
    expect(provider.requests.map((request) => request.body.model)).toEqual(['first-model', 'second-model']);
  });

  it('holds an answer to a response_format schema: one that breaks it escalates', async () => {
    server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), port: 0 });
    const schema = { type: 'object', required: ['category'], properties: { category: { type: 'string' } } };
    const data = await client(server.url).chat.completions.create({
      model: 'mcq',
      messages: [{ role: 'user', content: 'Extract the ticket as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'ticket', schema } },
    });
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ category: 'billing' });
    expect(data.model).toBe('large');
  });

  it('refuses a body over the limit with an OpenAI-shaped 413, and a body that is not JSON with a 400', async () => {
    server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), port: 0, maxBodyBytes: 1000 });
    const post = (body: string) =>
      fetch(`${server!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const big = await post(JSON.stringify({ model: 'mcq', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { message: 'the request body is too large' } });
    const broken = await post('{"model": "mcq", ');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { message: 'the body is not valid JSON' } });
  });

  it('lists the cascades as models, and answers an unknown model with an OpenAI-shaped 404', async () => {
    server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), port: 0 });
    const models = await client(server.url).models.list();
    expect(models.data.map((model) => model.id)).toEqual(['mcq']);
    const error = await client(server.url)
      .chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'q' }] })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('model_not_found');
  });

  it('counts requests, answers per tier, escalations per gate and cost in Prometheus text at /metrics', async () => {
    server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), port: 0 });
    await client(server.url).chat.completions.create({ model: 'mcq', messages: [{ role: 'user', content: question }] });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('cascade_requests_total{cascade="mcq",status="200"} 1');
    expect(text).toContain('cascade_answers_total{cascade="mcq",tier="large"} 1');
    expect(text).toContain('cascade_escalations_total{cascade="mcq",tier="small",gate="regex"} 1');
    expect(text).toContain('cascade_cost_usd_total{cascade="mcq"} 0.0021');
    expect(text).toMatch(/cascade_request_seconds_count\{cascade="mcq"\} 1/);
  });

  it('with keys: 401 without a valid one, 429 once a key has spent its daily budget', async () => {
    const key = 'team-key-0123456789';
    const keys = [{ name: 'team', sha256: createHash('sha256').update(key).digest('hex'), dailyUsd: 0.003 }];
    server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), keys, port: 0 });
    const wrong = await client(server.url, 'guess')
      .chat.completions.create({ model: 'mcq', messages: [{ role: 'user', content: question }] })
      .catch((caught) => caught);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    const ask = () =>
      client(server!.url, key).chat.completions.create({
        model: 'mcq',
        messages: [{ role: 'user', content: question }],
      });
    await ask();
    await ask(); // $0.0042 spent now, over the $0.003 budget
    const over = await ask().catch((caught) => caught);
    expect(over).toBeInstanceOf(OpenAI.RateLimitError);
    expect(over.message).toContain('key "team" has spent its daily budget of $0.003');
  });

  it("keeps a key's daily spend across a restart, and starts afresh the next UTC day", async () => {
    const key = 'team-key-0123456789';
    const keys = [{ name: 'team', sha256: createHash('sha256').update(key).digest('hex'), dailyUsd: 0.003 }];
    const file = join(tempDir(), 'server-spend.sqlite');
    let now = Date.parse('2026-12-02T10:00:00Z');
    const ask = () =>
      client(server!.url, key).chat.completions.create({
        model: 'mcq',
        messages: [{ role: 'user', content: question }],
      });
    const start = async () => {
      const spend = new SqliteKeySpend(file, () => now);
      server = await startServer({ cascades: new Map([['mcq', await mcqCascade()]]), keys, port: 0, spend });
      return spend;
    };
    let spend = await start();
    await ask();
    await ask(); // $0.0042 spent today
    await server!.close();
    spend.close();
    // Restarted: the day's spend is still counted.
    spend = await start();
    const over = await ask().catch((caught) => caught);
    expect(over).toBeInstanceOf(OpenAI.RateLimitError);
    expect(spend.spentToday(keys[0]!)).toBeCloseTo(0.0042, 9);
    now = Date.parse('2026-12-03T00:00:01Z');
    await expect(ask()).resolves.toMatchObject({ object: 'chat.completion' });
    spend.close();
  });

  it('on SIGTERM stops taking requests and lets 20 open streams finish, then exits 0', async () => {
    // A tier without gates streams: the server answers as OpenAI does when asked to stream.
    provider = await startLoopbackServer(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!request.body?.stream) return { json: openAIChat('A') };
      return { sse: async (send) => (send(sseChunk('A')), send('[DONE]'), 'end') };
    });
    const folder = tempDir();
    writeFileSync(
      join(folder, 'slow.yaml'),
      `name: slow\ntiers:\n  - { name: only, provider: openai, model: m, baseURL: "${provider.url}/v1" }\n`,
    );
    const signals = new EventEmitter();
    const io = captureIo();
    const serving = serveCommand(folder, { port: '0' }, io, signals);
    await vi.waitFor(() => expect(io.out()).toContain('serving slow'), { timeout: 30_000, interval: 10 });
    const url = /on (http:\/\/\S+)\/v1/.exec(io.out())![1]!;
    const streams = Array.from({ length: 20 }, async () => {
      const stream = await client(url).chat.completions.create({
        model: 'slow',
        messages: [{ role: 'user', content: 'q' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    });
    await vi.waitFor(() => expect(provider!.requests).toHaveLength(20), { timeout: 30_000, interval: 10 });
    signals.emit('SIGTERM');
    expect(await Promise.all(streams)).toEqual(Array(20).fill('A'));
    expect(await serving).toBe(0);
    expect(io.err()).toContain('SIGTERM: no new requests');
  });
});
