import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Hono } from 'hono';
import type { Cascade } from '../engine/cascade.js';
import { isLoopbackHost } from '../network/loopback-only.js';
import type { Environment } from '../spec/environment.js';
import type { CascadeResult } from '../spec/result.js';
import { parseChatRequest } from './chat-request.js';
import { cascadeHeaders, chatCompletion, ChunkWriter, completionChunks } from './chat-response.js';
import { readBody } from './read-body.js';
import { sendEvents, type ServeBindings } from './send-events.js';
import { ServeError } from './serve-error.js';
import { findKey, KeySpend, type KeySpendLedger, type ServerKey } from './server-keys.js';
import { ServeMetrics } from './serve-metrics.js';

export interface ServeOptions {
  /** The cascades served, by the name a client gives as `model`. */
  cascades: ReadonlyMap<string, Cascade>;
  /** Keys clients must present as `Authorization: Bearer <key>`; without any, only loopback clients are served. */
  keys?: readonly ServerKey[];
  env?: Environment;
  /** Longest a request may take, ms. @default 120000 */
  requestTimeoutMs?: number;
  /** Largest request body, bytes. @default 4 MiB */
  maxBodyBytes?: number;
  /** One JSON line per request (no key, no prompt). */
  log?: (line: string) => void;
  now?: () => number;
  /** Where each key's daily spend is kept. @default in memory */
  spend?: KeySpendLedger;
}

type Bindings = ServeBindings;

/**
 * An OpenAI-compatible HTTP API in front of cascades (Hono): `POST /v1/chat/completions` (plain and
 * streamed), `GET /v1/models`, `GET /healthz`. A streamed answer is sent once its tier's gates passed,
 * so a rejected draft of a cheaper tier never reaches the client.
 */
export function createServeApp(options: ServeOptions): Hono<{ Bindings: Bindings }> {
  const app = new Hono<{ Bindings: Bindings }>();
  const keys = options.keys ?? [];
  const env = options.env ?? process.env;
  const spend = options.spend ?? new KeySpend(options.now);
  const now = options.now ?? Date.now;
  const metrics = new ServeMetrics();

  app.onError((error, c) => {
    const served = error instanceof ServeError ? error : new ServeError(500, error.message, 'server_error');
    return c.json(served.toBody(), served.status as 500);
  });
  app.notFound((c) =>
    c.json(new ServeError(404, `no route ${c.req.method} ${c.req.path}`, 'invalid_request_error').toBody(), 404),
  );

  /** The caller's key, or a 401; without configured keys, loopback callers only. */
  const authorize = (authorization: string | undefined, remote: string | undefined): ServerKey | undefined => {
    if (keys.length === 0) {
      if (remote !== undefined && !isLoopbackHost(remote.replace(/^::ffff:/, ''))) {
        throw new ServeError(
          403,
          'this server has no keys configured and serves loopback clients only',
          'permission_error',
        );
      }
      return undefined;
    }
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    const key = token ? findKey(keys, token.trim(), env) : undefined;
    if (!key)
      throw new ServeError(
        401,
        'a valid API key is required: send Authorization: Bearer <key>',
        'invalid_request_error',
        'invalid_api_key',
      );
    return key;
  };

  app.get('/healthz', (c) => c.json({ ok: true, cascades: [...options.cascades.keys()] }));

  app.get('/metrics', async (c) => {
    authorize(c.req.header('authorization'), c.env?.incoming?.socket.remoteAddress);
    return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });

  app.get('/v1/models', (c) => {
    authorize(c.req.header('authorization'), c.env?.incoming?.socket.remoteAddress);
    return c.json({
      object: 'list',
      data: [...options.cascades.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'frugal-cascade' })),
    });
  });

  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  app.post('/v1/chat/completions', async (c) => {
    const started = performance.now();
    const key = authorize(c.req.header('authorization'), c.env?.incoming?.socket.remoteAddress);
    // On node:http the body is read from the socket as it is; elsewhere (app.fetch in tests) through the Request.
    const incoming = c.env?.incoming;
    const text = incoming ? await readBody(incoming, maxBodyBytes) : await c.req.text();
    // readBody refused an oversize body as it came; a body read through the Request is measured whole.
    if (!incoming && Buffer.byteLength(text) > maxBodyBytes) throw new ServeError(413, 'the request body is too large');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ServeError(400, 'the body is not valid JSON');
    }
    const chat = parseChatRequest(body);
    const cascade = options.cascades.get(chat.model);
    if (!cascade) {
      throw new ServeError(
        404,
        `model "${chat.model}" is not a cascade this server serves; it serves ${[...options.cascades.keys()].join(', ')}`,
        'invalid_request_error',
        'model_not_found',
        'model',
      );
    }
    if (key?.dailyUsd !== undefined && spend.spentToday(key) >= key.dailyUsd) {
      throw new ServeError(
        429,
        `key "${key.name}" has spent its daily budget of $${key.dailyUsd}`,
        'insufficient_quota',
        'budget_exceeded',
      );
    }
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(now() / 1000);
    /** Counts, charges and logs an answer, streamed or not. */
    const account = (result: CascadeResult) => {
      metrics.request(chat.model, result.text === undefined ? 502 : 200);
      if (key) spend.add(key, result.costUsd);
      options.log?.(
        JSON.stringify({
          at: new Date(now()).toISOString(),
          model: chat.model,
          key: key?.name ?? null,
          stream: chat.stream,
          tier: result.tier ?? null,
          stop: result.stop,
          costUsd: result.costUsd,
          ms: Math.round(performance.now() - started),
        }),
      );
    };
    // A tier without gates streams its answer as it is generated; until one does, nothing is sent, so a
    // cheaper tier's rejected draft never reaches the client and a failure before the first byte falls back.
    let onText: ((text: string) => void) | undefined;
    const early: string[] = [];
    let streamingTier: string | undefined;
    let firstText: (() => void) | undefined;
    const textCame = new Promise<'text'>((resolve) => {
      firstText = () => resolve('text');
    });
    const running = cascade.run(chat.request, {
      signal: AbortSignal.timeout(requestTimeoutMs),
      onEvent: metrics.listener(chat.model),
      ...(chat.stream && {
        onDelta: (tier: string, text: string) => {
          streamingTier ??= tier;
          if (onText) return onText(text);
          early.push(text);
          firstText?.();
        },
      }),
    });
    if (
      chat.stream &&
      (await Promise.race([
        textCame,
        running.then(
          () => 'done' as const,
          () => 'done' as const,
        ),
      ])) === 'text'
    ) {
      const model = cascade.tiers.find((tier) => tier.name === streamingTier)?.provider.model ?? chat.model;
      const writer = new ChunkWriter(id, created, model);
      return sendEvents(
        c,
        { 'x-cascade-trace-id': id },
        async (event) => {
          let written = event(JSON.stringify(writer.role()));
          const send = (text: string) => {
            written = written.then(() => event(JSON.stringify(writer.content(text))));
          };
          for (const text of early.splice(0)) send(text);
          onText = send;
          let result: CascadeResult | undefined;
          let failure: string | undefined;
          try {
            result = await running;
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
          }
          await written;
          if (result) account(result);
          if (!result || result.text === undefined) {
            // The client has part of an answer: an error event it can read, as OpenAI ends a failed stream.
            const message = `the answer broke off: ${failure ?? result?.message ?? result?.stop}`;
            await event(JSON.stringify({ error: { message, type: 'server_error', code: result?.stop ?? 'error' } }));
            return;
          }
          await event(JSON.stringify(writer.finish(result, chat.model)));
          if (chat.includeUsage) await event(JSON.stringify(writer.usage(result)));
          await event('[DONE]');
        },
        requestTimeoutMs,
      );
    }
    const result: CascadeResult = await running;
    account(result);
    if (result.text === undefined) {
      throw new ServeError(
        502,
        `the cascade gave no answer: ${result.message ?? result.stop}`,
        'server_error',
        result.stop,
      );
    }
    const headers = cascadeHeaders(result, id);
    if (chat.stream)
      return sendEvents(
        c,
        headers,
        async (event) => {
          for (const chunk of completionChunks(result, chat.model, id, created, chat.includeUsage))
            await event(JSON.stringify(chunk));
          await event('[DONE]');
        },
        requestTimeoutMs,
      );
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return c.json(chatCompletion(result, chat.model, id, created));
  });

  return app;
}
