import type { IncomingMessage } from 'node:http';
import { ServeError } from './serve-error.js';

/**
 * The request body as text, straight from node:http, refused with 413 past `maxBytes`. Reading through
 * the web `Request` instead (`c.req.json()`) wraps the socket in a web stream and reads it back, which
 * was the larger part of what the server spent per request (bench/serve-overhead).
 */
export async function readBody(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const tooLarge = () => new ServeError(413, 'the request body is too large');
