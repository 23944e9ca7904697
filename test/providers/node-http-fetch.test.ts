import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('sends again on another socket when a kept-alive one was closed by the server, but not when a new one fails', async () => {
    // A server whose keep-alive timeout ran out just as the client took the idle socket: the second
    // request on a connection finds it closed (reset) before any answer.
    let connections = 0;
    let requests = 0;
    let dropEveryRequest = false;
    const plain: Server = createServer((incoming, outgoing) => {
      requests++;
      const seen = (incoming.socket as { served?: number }).served ?? 0;
      (incoming.socket as { served?: number }).served = seen + 1;
      if (seen > 0 || dropEveryRequest) {
        incoming.socket.destroy();
        return;
      }
      outgoing.setHeader('content-type', 'application/json');
      outgoing.end(JSON.stringify({ request: requests }));
    });
    plain.on('connection', () => connections++);
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/v1/x`;
    try {
      const first = await nodeHttpFetch(url, { method: 'POST', body: '{}' });
      expect(await first.json()).toEqual({ request: 1 });
      // Taken from the pool, found closed, sent again on a new connection and answered there.
      const second = await nodeHttpFetch(url, { method: 'POST', body: '{}' });
      expect(await second.json()).toEqual({ request: 3 });
      expect(connections).toBe(2);
      // A failure on a socket that was not kept from before is not hidden: the caller sees it.
      dropEveryRequest = true;
      const pooled = requests;
      const failed = await nodeHttpFetch(url, { method: 'POST', body: '{}' }).catch((caught) => caught);
      expect(failed).toBeInstanceOf(TypeError);
      expect(String(failed.message)).toMatch(/fetch failed/);
      // The pooled socket (reset: sent again) and then a new one (reset: given up).
      expect(requests - pooled).toBe(2);
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });
});
