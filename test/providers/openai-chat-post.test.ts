import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiStatusError, ConnectionError, UnexpectedResponseError } from '../../src/errors/index.js';
import { nodeHttpFetch } from '../../src/providers/node-http-fetch.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { openAIChat, openAIError } from '../helpers/wire.js';

const env = { TEST_OPENAI_KEY: 'sk-test-0123456789abcdef' };
const request = { messages: [{ role: 'user' as const, content: 'Say hi' }] };
let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const provider = (url: string, extra: Partial<Parameters<typeof createOpenAIProvider>[0]> = {}) =>
  createOpenAIProvider({
    model: 'gpt-4o-mini',
    label: 'tier "cheap"',
    apiKeyEnv: 'TEST_OPENAI_KEY',
    baseURL: `${url}/v1`,
    env,
    ...extra,
  });

/** The headers a request carries that are not the SDK's telemetry (x-stainless-*) or the connection's own. */
function sentHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-stainless-') && !['host', 'connection', 'content-length'].includes(name))
      kept[name] = value;
  }
  return kept;
}

describe('a whole chat completion posted without the SDK request machinery', () => {
  it('sends what the SDK sends: URL, body and headers, organization and project from the environment included', async () => {
    vi.stubEnv('OPENAI_ORG_ID', 'org-test');
    vi.stubEnv('OPENAI_PROJECT_ID', 'proj-test');
    vi.stubEnv('OPENAI_CUSTOM_HEADERS', 'X-Gateway-Key: gw-1\nHelicone-Auth: Bearer h-2');
    server = await startLoopbackServer(() => ({ json: openAIChat('hi') }));
    const body = { model: 'gpt-4o-mini', messages: request.messages };
    // As the provider made its SDK client before: our fetch, so only what the SDK adds differs.
    const sdk = new OpenAI({
      apiKey: env.TEST_OPENAI_KEY,
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
      fetch: nodeHttpFetch,
    });
    await sdk.chat.completions.create(body, { headers: { 'Idempotency-Key': 'key-1' } });
    await provider(server.url).complete(request, { idempotencyKey: 'key-1' });
    const [bySdk, byUs] = server.requests;
    expect(byUs!.path).toBe(bySdk!.path);
    expect(byUs!.method).toBe('POST');
    expect(byUs!.body).toEqual(bySdk!.body);
    expect(sentHeaders(byUs!.headers)).toEqual(sentHeaders(bySdk!.headers));
    expect(byUs!.headers['openai-organization']).toBe('org-test');
    expect(byUs!.headers['idempotency-key']).toBe('key-1');
    expect(byUs!.headers['x-gateway-key']).toBe('gw-1');
    expect(byUs!.headers['helicone-auth']).toBe('Bearer h-2');
  });

  it('fails as the SDK did: a status error with its message and wait, a body that is not JSON, a refused connection', async () => {
    server = await startLoopbackServer((_request, index) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '3' }, json: openAIError('Slow down', 'rate_limit_exceeded') }
        : { headers: { 'content-type': 'text/plain' }, raw: 'hello' },
    );
    const limited = await provider(server.url)
      .complete(request)
      .catch((caught) => caught);
    expect(limited).toBeInstanceOf(ApiStatusError);
    expect(limited).toMatchObject({ statusCode: 429, retryAfterMs: 3000 });
    expect(limited.message).toContain('429 Slow down');
    await expect(provider(server.url).complete(request)).rejects.toBeInstanceOf(UnexpectedResponseError);
    const url = server.url;
    await server.close();
    server = undefined;
    const refused = await provider(url)
      .complete(request)
      .catch((caught) => caught);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused.message).toContain(`cannot connect to ${url}/v1`);
  });

  it("gives up after the SDK timeout of ten minutes when the caller gave no signal; a fetch of the user's gets Headers", async () => {
    vi.useFakeTimers();
    // A server that never answers, and honours the abort.
    let posted!: (init: RequestInit) => void;
    const called = new Promise<RequestInit>((resolve) => (posted = resolve));
    const fetchNever = ((_url: string, init: RequestInit) => {
      posted(init);
      return new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        ),
      );
    }) as unknown as typeof fetch;
    const pending = provider('http://127.0.0.1:9', { fetch: fetchNever })
      .complete(request)
      .catch((caught) => caught);
    // The SDK loads first (real module loading, which fake timers do not drive): the clock starts at the post.
    const init = await called;
    expect(init.headers).toBeInstanceOf(Headers);
    expect((init.headers as Headers).get('authorization')).toBe(`Bearer ${env.TEST_OPENAI_KEY}`);
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000 - 1);
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await pending;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain('timed out');
  });
});
