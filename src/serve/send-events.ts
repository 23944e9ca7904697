import type { IncomingMessage, ServerResponse } from 'node:http';
// Imported before the server starts: @hono/node-server swaps the global Response for its own then, and
// this marker must be a real one for the server to leave the socket to us.
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

export type ServeBindings = { incoming?: IncomingMessage; outgoing?: ServerResponse };

/** Writes one server-sent event's `data`; resolves once the socket can take more (or is gone). */
export type SendEvent = (data: string) => Promise<void>;

/**
 * A server-sent event stream with `headers`, its events written by `body`. On node:http the events go
 * straight to the socket (Hono's `streamSSE` goes through web streams, most of what a streamed answer
 * cost the server: bench/serve-overhead); elsewhere (`app.fetch` in tests) through Hono.
 */
export async function sendEvents(
  c: Context<{ Bindings: ServeBindings }>,
  headers: Record<string, string>,
  body: (send: SendEvent) => Promise<void>,
  /** Longest a client may leave written events unread before its connection is closed. */
  stallMs = 120_000,
): Promise<Response> {
  const outgoing = c.env?.outgoing;
  if (!outgoing) {
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return streamSSE(c, (stream) => body((data) => stream.writeSSE({ data })));
  }
  outgoing.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  const send: SendEvent = (data) =>
    new Promise<void>((resolve) => {
      if (outgoing.destroyed || outgoing.write(`data: ${data}\n\n`)) return resolve();
      // A slow client: wait until it has read what was sent, or has gone; one that reads nothing for
      // `stallMs` is cut off, so a stream never waits for ever.
      const stalled = setTimeout(() => outgoing.destroy(), stallMs);
      const done = () => {
        clearTimeout(stalled);
        outgoing.off('drain', done);
        outgoing.off('close', done);
        resolve();
      };
      outgoing.once('drain', done);
      outgoing.once('close', done);
    });
  void body(send)
    .catch(() => undefined)
    .finally(() => outgoing.end());
  return RESPONSE_ALREADY_SENT;
}
