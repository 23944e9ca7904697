import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

/** What the server does with one request. */
export type Reply =
  | { status?: number; headers?: Record<string, string>; json: unknown }
  | { status?: number; headers?: Record<string, string>; raw: string }
  | { hang: true }
  | { reset: true }
  /**
   * Server-sent events: `send` writes one `data:` event (after an `event:` line when named, as Anthropic
   * sends them); resolve 'end' to finish the stream, 'reset' to cut it.
   */
  | { sse: (send: (data: string, event?: string) => void) => Promise<'end' | 'reset'> }
  /** JSON lines as Ollama streams them: `send` writes one line. */
  | { ndjson: (send: (line: unknown) => void) => Promise<'end' | 'reset'> };

export interface LoopbackServer {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that answers with whatever `respond` decides, so providers are
 * tested through their SDKs over the wire. Hanging requests are cut when the server closes.
 */
export async function startLoopbackServer(
  respond: (request: ReceivedRequest, index: number) => Reply | Promise<Reply>,
): Promise<LoopbackServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (incoming, outgoing: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the raw text
    }
    const request: ReceivedRequest = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      body,
    };
    requests.push(request);
    const reply = await respond(request, requests.length - 1);
    if ('hang' in reply) return;
    if ('reset' in reply) {
      incoming.socket.destroy();
      return;
    }
    if ('sse' in reply) {
      outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      outgoing.flushHeaders();
      const ending = await reply.sse((data, event) =>
        outgoing.write(`${event ? `event: ${event}\n` : ''}data: ${data}\n\n`),
      );
      if (ending === 'reset') incoming.socket.destroy();
      else outgoing.end();
      return;
    }
    if ('ndjson' in reply) {
      outgoing.writeHead(200, { 'content-type': 'application/x-ndjson' });
      outgoing.flushHeaders();
      const ending = await reply.ndjson((line) => outgoing.write(`${JSON.stringify(line)}\n`));
      if (ending === 'reset') incoming.socket.destroy();
      else outgoing.end();
      return;
    }
    const payload = 'json' in reply ? JSON.stringify(reply.json) : reply.raw;
    outgoing.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    outgoing.end(payload);
  });
  return { ...(await listenOnLoopback(server)), requests };
}
