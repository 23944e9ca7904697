import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from '../../src/providers/node-http-fetch.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

describe('nodeHttpFetch, the keep-alive fetch of the provider SDKs', () => {
  it('answers a buffered response as fetch would: status, headers, a body read once as text or JSON', async () => {
    server = await startLoopbackServer((request) => ({
      status: request.body.fail ? 429 : 200,
      headers: { 'retry-after': '2', 'x-request-id': 'req_1' },
      json: { echoed: request.body, header: request.headers['x-custom'] },
    }));
    const response = await nodeHttpFetch(`${server.url}/v1/x`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', 'X-Custom': 'yes' }),
      body: JSON.stringify({ a: 1 }),
    });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Request-Id')).toBe('req_1');
    expect(response.headers.has('content-type')).toBe(true);
    expect([...response.headers.entries()]).toContainEqual(['retry-after', '2']);
    expect(await response.json()).toEqual({ echoed: { a: 1 }, header: 'yes' });
    await expect(response.text()).rejects.toThrow(/already been read/);

    const failed = await nodeHttpFetch(`${server.url}/v1/x`, { method: 'POST', body: '{"fail":true}' });
    expect(failed.ok).toBe(false);
    expect(failed.status).toBe(429);
    expect(failed.headers.get('retry-after')).toBe('2');
    // A body nobody read can still be cancelled through its stream, as the SDKs do before a retry.
    await failed.body!.cancel();
  });
});
