import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';

export interface FakeOllamaOptions {
  /** Models the server has pulled; any other name gets Ollama's 404. */
  models: string[];
  /** The answer of a chat or generate call. */
  answer(model: string, messages: { role: string; content: string }[], body: any): string;
  /** Token log-probabilities to attach when the request asks for them. */
  logprobs?: number[];
}

export interface FakeOllamaServer {
  url: string;
  /** Every request as received: method, path and parsed body. */
  requests: { method: string; path: string; body: any }[];
  close(): Promise<void>;
}

/**
 * A loopback server speaking Ollama's HTTP API as `ollama serve` does: `/api/tags`, `/api/chat` and
 * `/api/generate` (NDJSON streaming unless `stream: false`), `/api/embed`, and a 404 with Ollama's
 * error body for a model that is not pulled.
 */
export async function startFakeOllama(options: FakeOllamaOptions): Promise<FakeOllamaServer> {
  const requests: FakeOllamaServer['requests'] = [];
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : {};
    const path = incoming.url ?? '/';
    requests.push({ method: incoming.method ?? 'GET', path, body });
    const send = (status: number, json: unknown) => {
      outgoing.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      outgoing.end(JSON.stringify(json));
    };
    if (path === '/api/tags') {
      return send(200, {
        models: options.models.map((name) => ({
          name,
          model: name,
          modified_at: '2026-11-01T00:00:00Z',
          size: 2_000_000_000,
          digest: digest(name),
          details: { format: 'gguf', family: 'llama' },
        })),
      });
    }
    if (path === '/api/version') return send(200, { version: '0.12.0' });
    const model = body.model as string;
    if (!options.models.includes(model)) return send(404, { error: `model '${model}' not found` });
    if (path === '/api/embed') {
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
      return send(200, {
        model,
        embeddings: inputs.map(embedding),
        total_duration: 1000,
        load_duration: 10,
        prompt_eval_count: inputs.join(' ').split(/\s+/).length,
      });
    }
    if (path === '/api/chat' || path === '/api/generate') {
      const messages = path === '/api/chat' ? body.messages : [{ role: 'user', content: body.prompt }];
      const answer = options.answer(model, messages, body);
      const stats = {
        prompt_eval_count: JSON.stringify(messages).length >> 2,
        eval_count: Math.max(1, answer.length >> 2),
      };
      const chunkOf = (piece: string, done: boolean) => ({
        model,
        created_at: '2026-11-22T10:00:00Z',
        ...(path === '/api/chat' ? { message: { role: 'assistant', content: piece } } : { response: piece }),
        done,
        ...(done && {
          done_reason: 'stop',
          total_duration: 1000,
          load_duration: 10,
          prompt_eval_duration: 100,
          eval_duration: 200,
          ...stats,
        }),
        ...(done &&
          body.logprobs &&
          options.logprobs && {
            logprobs: options.logprobs.map((logprob, index) => ({ token: `t${index}`, logprob })),
          }),
      });
      if (body.stream === false) return send(200, chunkOf(answer, true));
      streamNdjson(outgoing, [...splitAnswer(answer).map((piece) => chunkOf(piece, false)), chunkOf('', true)]);
      return;
    }
    send(404, { error: `404 page not found` });
  });
  return { ...(await listenOnLoopback(server)), requests };
}

function streamNdjson(outgoing: ServerResponse, chunks: unknown[]): void {
  outgoing.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const chunk of chunks) outgoing.write(`${JSON.stringify(chunk)}\n`);
  outgoing.end();
}

function splitAnswer(answer: string): string[] {
  return answer.match(/.{1,8}/gs) ?? [''];
}

function digest(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** A deterministic 16-dimensional vector from a hash of the text (not unit length, as servers do not promise it). */
function embedding(text: string): number[] {
  const bytes = createHash('sha256').update(text).digest();
  return Array.from({ length: 16 }, (_, index) => (bytes[index]! - 128) / 16);
}
