import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortWatchKey, type AbortWatch } from '../../src/common/abort-watch.js';
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

  it('rejects with an AbortError when its signal aborts before the answer, and when it was aborted before the call', async () => {
    server = await startLoopbackServer(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = nodeHttpFetch(`${server.url}/v1/x`, { method: 'POST', body: '{}', signal: controller.signal });
    await vi.waitFor(() => expect(server!.requests).toHaveLength(1), { timeout: 15_000, interval: 20 });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: new Error('stop') });
    await expect(
      nodeHttpFetch(`${server.url}/v1/x`, { method: 'POST', body: '{}', signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("aborts on a try's AbortWatch given instead of a signal, and stops watching once the request closes", async () => {
    server = await startLoopbackServer((request) => (request.body.hang ? { hang: true } : { json: { ok: true } }));
    const listeners = new Set<() => void>();
    let aborted = false;
    const watch: AbortWatch = {
      get aborted() {
        return aborted;
      },
      watch(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const abort = () => {
      aborted = true;
      for (const listener of listeners) listener();
    };
    const pending = nodeHttpFetch(`${server.url}/v1/x`, {
      method: 'POST',
      body: '{"hang":true}',
      [abortWatchKey]: watch,
    });
    await vi.waitFor(() => expect(server!.requests).toHaveLength(1), { timeout: 15_000, interval: 20 });
    expect(listeners.size).toBe(1);
    abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await vi.waitFor(() => expect(listeners.size).toBe(0), { timeout: 15_000, interval: 20 });
    // Aborted before the call: rejected without a request.
    await expect(
      nodeHttpFetch(`${server.url}/v1/x`, { method: 'POST', body: '{}', [abortWatchKey]: watch }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(1);
    // Answered: the watcher is gone with the request.
    aborted = false;
    const response = await nodeHttpFetch(`${server.url}/v1/x`, { method: 'POST', body: '{}', [abortWatchKey]: watch });
    expect(await response.json()).toEqual({ ok: true });
    await vi.waitFor(() => expect(listeners.size).toBe(0), { timeout: 15_000, interval: 20 });
  });

  it('cuts a streamed answer when its signal aborts after the headers came', async () => {
    server = await startLoopbackServer(() => ({
      sse: async (send) => {
        send('{"n":1}');
        return new Promise<'end'>(() => undefined);
      },
    }));
    const controller = new AbortController();
    const response = await nodeHttpFetch(`${server.url}/v1/x`, {
      method: 'POST',
      body: '{}',
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('"n":1');
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
  });

  it("closes an idle kept-alive socket before the server's announced keep-alive timeout, so no request takes a socket the server is closing", async () => {
    // The server keeps connections for a minute but announces two seconds: a server (or a load balancer)
    // that closes at the announced time would race a client that kept the socket longer.
    const closed: number[] = [];
    const plain: Server = createServer((_incoming, outgoing) => {
      outgoing.setHeader('content-type', 'application/json');
      outgoing.setHeader('keep-alive', 'timeout=2');
      outgoing.end('{"ok":true}');
    });
    plain.keepAliveTimeout = 60_000;
    plain.on('connection', (socket) => socket.on('close', () => closed.push(Date.now())));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/v1/x`;
    try {
      expect(await (await nodeHttpFetch(url, { method: 'POST', body: '{}' })).json()).toEqual({ ok: true });
      // The client lets go of it about a second after the answer (two seconds announced, less one);
      // fifteen seconds of patience for a busy machine, far under the server's minute.
      await vi.waitFor(() => expect(closed).toHaveLength(1), { timeout: 15_000, interval: 50 });
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });
});
