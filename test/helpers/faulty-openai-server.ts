import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';
import { seededRandom } from '../../src/statistics/statistics.js';
import { openAIChat, openAIError } from './wire.js';

/** Share of requests that get each fault; the rest get a valid answer after `latencyMs`. */
export interface FaultRates {
  rateLimitWithRetryAfter?: number;
  rateLimitWithoutRetryAfter?: number;
  serverError500?: number;
  unavailable503?: number;
  connectionReset?: number;
  hang?: number;
  truncatedBody?: number;
  malformedBody?: number;
  wrongShape?: number;
}

export interface FaultyServer {
  url: string;
  counts: Record<string, number>;
  close(): Promise<void>;
}

/**
 * An OpenAI chat-completions server on 127.0.0.1 that injects faults at the given rates (seeded, so a
 * run is repeatable). Hanging requests are released when it closes; nothing outlives the test.
 */
export async function startFaultyOpenAIServer(
  rates: FaultRates,
  options: { latencyMs?: number; seed?: number; answer?: string } = {},
): Promise<FaultyServer> {
  const random = seededRandom(options.seed ?? 1);
  const counts: Record<string, number> = {};
  const faults = Object.entries(rates) as [keyof FaultRates, number][];
  const server = createServer((request, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      let draw = random();
      let fault: string = 'ok';
      // The first requests get each fault once, in order, so every kind is served however few calls a run makes.
      const served = Object.values(counts).reduce((sum, count) => sum + count, 0);
      const first = faults.filter(([, rate]) => rate > 0)[served];
      if (first) draw = Number.POSITIVE_INFINITY;
      if (first) fault = first[0];
      for (const [name, rate] of faults) {
        if (draw < rate) {
          fault = name;
          break;
        }
        draw -= rate;
      }
      counts[fault] = (counts[fault] ?? 0) + 1;
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(body);
      };
      const act = () => {
        switch (fault) {
          case 'rateLimitWithRetryAfter':
            return send(429, JSON.stringify(openAIError('Rate limit reached', 'rate_limit_exceeded')), {
              'retry-after': '0.01',
            });
          case 'rateLimitWithoutRetryAfter':
            return send(429, JSON.stringify(openAIError('Rate limit reached', 'rate_limit_exceeded')));
          case 'serverError500':
            return send(500, JSON.stringify(openAIError('internal error')));
          case 'unavailable503':
            return send(503, JSON.stringify(openAIError('overloaded')));
          case 'connectionReset':
            return request.socket.destroy();
          case 'hang':
            return;
          case 'truncatedBody': {
            const body = JSON.stringify(openAIChat(options.answer ?? 'B'));
            response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
            response.write(body.slice(0, body.length >> 1));
            return void setTimeout(() => request.socket.destroy(), 5);
          }
          case 'malformedBody':
            return send(200, '{"id": "chatcmpl-x", "choices": [{"message": ');
          case 'wrongShape':
            return send(200, JSON.stringify({ result: 'B', status: 'ok' }));
          default:
            return send(
              200,
              JSON.stringify(openAIChat(options.answer ?? 'B', { promptTokens: 100, completionTokens: 2 })),
            );
        }
      };
      if (options.latencyMs) setTimeout(act, options.latencyMs);
      else act();
    });
  });
  server.keepAliveTimeout = 5000;
  return { ...(await listenOnLoopback(server)), counts };
}
