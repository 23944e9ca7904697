import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';
import { seededRandom } from '../../src/statistics/statistics.js';
import { openAIChat, openAIError } from './wire.js';

export interface BillingFaults {
  rateLimit?: number;
  serverError?: number;
  /** The connection is cut before the answer is generated (nothing billed). */
  resetBefore?: number;
  /** The answer is generated, and billed, then the connection is cut before it is sent. */
  resetAfter?: number;
  /** No answer, ever (nothing billed). */
  hang?: number;
}

export interface BillingServer {
  url: string;
  /** Answers generated, each billed once: what the account would pay for. */
  paid: number;
  /** Requests answered from the record of their Idempotency-Key, not billed again. */
  replayed: number;
  /** Requests received, faults included. */
  received: number;
  /** Paid answers by model. */
  paidByModel: Record<string, number>;
  close(): Promise<void>;
}

/**
 * An OpenAI chat-completions server on 127.0.0.1 that bills as a hosted API does: an answer is billed
 * when it is generated, whether or not the client is still there to read it. It honours `Idempotency-Key`
 * as idempotent APIs do: a key seen before gets the answer generated for it, not billed again (a key still
 * generating waits for it). Answers: the model `small` says `UNSURE` for about 40% of prompts and `OK`
 * otherwise; every other model says `OK`. Faults are drawn from a seeded generator.
 */
export async function startBillingOpenAIServer(
  faults: BillingFaults,
  options: { latencyMs: number; seed?: number },
): Promise<BillingServer> {
  const random = seededRandom(options.seed ?? 7);
  const records = new Map<string, Promise<string>>();
  const state = {
    paid: 0,
    replayed: 0,
    received: 0,
    paidByModel: {} as Record<string, number>,
  };
  const pick = (): keyof BillingFaults | 'ok' => {
    let draw = random();
    for (const [name, rate] of Object.entries(faults) as [keyof BillingFaults, number][]) {
      if (draw < rate) return name;
      draw -= rate;
    }
    return 'ok';
  };
  const generate = (model: string, prompt: string) =>
    new Promise<string>((resolve) => {
      setTimeout(() => {
        state.paid++;
        state.paidByModel[model] = (state.paidByModel[model] ?? 0) + 1;
        const unsure = model === 'small' && createHash('sha256').update(prompt).digest()[0]! < 102;
        resolve(
          JSON.stringify(openAIChat(unsure ? 'UNSURE' : 'OK', { model, promptTokens: 100, completionTokens: 2 })),
        );
      }, options.latencyMs);
    });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      state.received++;
      const send = (status: number, text: string, headers: Record<string, string> = {}) => {
        if (response.destroyed) return;
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(text);
      };
      const fault = pick();
      if (fault === 'rateLimit')
        return send(429, JSON.stringify(openAIError('Rate limit reached', 'rate_limit_exceeded')), {
          'retry-after': '0.05',
        });
      if (fault === 'serverError') return send(500, JSON.stringify(openAIError('internal error')));
      if (fault === 'resetBefore') return request.socket.destroy();
      if (fault === 'hang') return;
      const parsed = JSON.parse(body) as { model: string; messages: { content: string }[] };
      const prompt = parsed.messages.map((message) => message.content).join('\n');
      const key = request.headers['idempotency-key'];
      let answer: Promise<string>;
      if (typeof key === 'string' && records.has(key)) {
        state.replayed++;
        answer = records.get(key)!;
      } else {
        answer = generate(parsed.model, prompt);
        if (typeof key === 'string') records.set(key, answer);
      }
      void answer.then((text) => {
        if (fault === 'resetAfter') request.socket.destroy();
        else send(200, text);
      });
    });
  });
  server.keepAliveTimeout = 5000;
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    get paid() {
      return state.paid;
    },
    get replayed() {
      return state.replayed;
    },
    get received() {
      return state.received;
    },
    get paidByModel() {
      return state.paidByModel;
    },
    close: listening.close,
  };
}
