import type { Agent, ClientRequest } from 'node:http';
import { once } from '../common/once.js';
import { abortWatchOf, type AbortWatch, type WatchedRequestInit } from '../common/abort-watch.js';
import { BufferedResponse, NodeResponseHeaders } from './buffered-response.js';
import { requestTarget } from './request-target.js';

/**
 * How long a kept-alive socket may sit idle in the pool. Without a timeout node's agent keeps idle sockets
 * for ever and ignores the server's `Keep-Alive: timeout=N` hint (it only ever lowers a timeout that is
 * set), so a server that closes an idle connection races the next request taking it: the request fails
 * with ECONNRESET, and may have been billed as far as the caller can tell. With one, the hint applies
 * (idle sockets close a second before the server's N), and sockets of servers that give none close after
 * this. Only idle sockets: a call in flight is never cut by it.
 */
const idleSocketMs = 15_000;

/**
 * node:http, node:https (with TLS) and node:stream, and the keep-alive pools shared by every provider of
 * the process, made at the first request: loading https alone takes about 15 ms, and importing the library
 * (or replaying recordings) sends none.
 */
const transports = once(() => {
  const http = process.getBuiltinModule('node:http');
  const https = process.getBuiltinModule('node:https');
  const agents: Record<'http:' | 'https:', Agent> = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 1024, timeout: idleSocketMs }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 1024, timeout: idleSocketMs }),
  };
  return { http, https, agents, Readable: process.getBuiltinModule('node:stream').Readable };
});

/**
 * A `fetch` for the provider SDKs on node:http(s) with keep-alive pools. It does what the SDKs need
 * (a buffered JSON request and response, an event stream or JSON lines handed on as they come, an abort signal) for about 40% less CPU per call than the
 * global fetch, which is what bounds a batch at high concurrency. Anything else (streamed bodies)
 * goes to the global fetch.
 */
export function nodeHttpFetch(input: string | URL | Request, init: WatchedRequestInit = {}): Promise<Response> {
  const body = init.body;
  const target = typeof input === 'string' || input instanceof URL ? requestTarget(input) : undefined;
  const bufferedBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
  if (!target || !bufferedBody || (target.protocol !== 'http:' && target.protocol !== 'https:'))
    return fetch(input, withWatchedSignal(init));
  const { http, https, agents, Readable } = transports();
  return new Promise<Response>((resolve, reject) => {
    const headers = headerRecord(init.headers);
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        auth: target.auth,
        method: init.method ?? 'GET',
        headers,
        agent: agents[target.protocol as 'http:' | 'https:'],
      },
      (response) => {
        const headersOf = () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          return responseHeaders;
        };
        // A streamed answer (server-sent events, or Ollama's JSON lines) is handed on as it arrives, not buffered.
        const type = String(response.headers['content-type'] ?? '');
        if (type.startsWith('text/event-stream') || type.startsWith('application/x-ndjson')) {
          const body = Readable.toWeb(response) as ReadableStream<Uint8Array>;
          resolve(
            new Response(body, {
              status: response.statusCode ?? 500,
              statusText: response.statusMessage ?? '',
              headers: headersOf(),
            }),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let ended = false;
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          ended = true;
          const status = response.statusCode ?? 500;
          // Responses with these statuses may not carry a body.
          const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          // The part of Response the SDKs read, without a web stream around a body already read.
          const buffered = new BufferedResponse(
            payload,
            status,
            response.statusMessage ?? '',
            new NodeResponseHeaders(response.headers),
            target.href,
          );
          resolve(buffered as unknown as Response);
        });
        response.on('error', (error) => reject(new TypeError(`terminated: ${error.message}`, { cause: error })));
        response.on('close', () => {
          if (!ended) reject(new TypeError('terminated: the connection closed before the response body ended'));
        });
      },
    );
    // Socket errors (ECONNREFUSED, ECONNRESET) reject like the global fetch does: as a TypeError.
    request.on('error', (error) =>
      reject(error.name === 'AbortError' ? error : new TypeError(`fetch failed: ${error.message}`, { cause: error })),
    );
    const watch = abortWatchOf(init);
    if (watch) abortOnWatch(request, watch);
    else if (init.signal) abortOnSignal(request, init.signal);
    request.end(body ?? undefined);
  });
}

/**
 * The request's headers as node:http takes them. A plain record (our own chat post's) is used as it is;
 * the SDKs hand a Headers object, read as it is rather than copied into another.
 */
function headerRecord(given: RequestInit['headers']): Record<string, string> {
  if (given === undefined) return {};
  if (!(given instanceof Headers) && !Array.isArray(given)) return given as Record<string, string>;
  const headers: Record<string, string> = {};
  for (const [name, value] of given instanceof Headers ? given : new Headers(given)) headers[name] = value;
  return headers;
}

/**
 * Destroy `request` with an AbortError when `signal` aborts, until the request closes (its response read
 * to the end, or failed). What node:http does with a `signal` option, for a fifth of the CPU: it watches
 * the request's end through the stream machinery's end-of-stream helper (a dozen listeners per request),
 * the largest cost of a call after the socket write at a batch's concurrency.
 */
function abortOnSignal(request: ClientRequest, signal: AbortSignal): void {
  const abort = () => request.destroy(abortError(signal));
  if (signal.aborted) {
    abort();
    return;
  }
  signal.addEventListener('abort', abort, { once: true });
  request.once('close', () => signal.removeEventListener('abort', abort));
}

/** `init` for the global fetch: a try's AbortWatch given instead of a signal becomes one. */
function withWatchedSignal(init: RequestInit): RequestInit {
  const watch = abortWatchOf(init);
  if (!watch || init.signal) return init;
  const controller = new AbortController();
  if (watch.aborted) controller.abort();
  else watch.watch(() => controller.abort());
  return { ...init, signal: controller.signal };
}

/**
 * The same for a try's AbortWatch (common/abort-watch.ts), which our own chat post hands over in the
 * init, under `abortWatchKey`, instead of a signal.
 */
function abortOnWatch(request: ClientRequest, watch: AbortWatch): void {
  const abort = () => request.destroy(abortError(undefined));
  if (watch.aborted) {
    abort();
    return;
  }
  request.once('close', watch.watch(abort));
}

/** The error node:http and the global fetch give for an aborted request (`name` is what the SDKs test). */
function abortError(signal: AbortSignal | undefined): Error {
  const error = new Error('The operation was aborted', { cause: signal?.reason });
  error.name = 'AbortError';
  return Object.assign(error, { code: 'ABORT_ERR' });
}
