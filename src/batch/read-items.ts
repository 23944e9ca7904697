import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CascadeRequest, ChatMessage } from '../spec/request.js';

/** One line of an items file: a request to run, or why the line cannot be run. */
export type ItemLine =
  | { line: number; id: string; request: CascadeRequest; extra: Record<string, unknown> }
  | { line: number; id?: string; error: string };

const roles = new Set(['system', 'user', 'assistant']);

/** Parse one line: `{ "id": ..., "input": { "messages": [...] } }` or `{ "id": ..., "prompt": "..." }`. */
export function parseItemLine(text: string, line: number): ItemLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { line, error: `line ${line}: not valid JSON (${(error as Error).message})` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { line, error: `line ${line}: expected a JSON object` };
  const { id, input, prompt, ...extra } = raw as Record<string, unknown>;
  if (typeof id !== 'string' && typeof id !== 'number')
    return { line, error: `line ${line}: missing \`id\` (a string or number)` };
  const itemId = String(id);
  const messages = toMessages(input, prompt);
  if (typeof messages === 'string') return { line, id: itemId, error: `line ${line}: ${messages}` };
  const request: CascadeRequest = { id: itemId, messages };
  const options = input as { outputSchema?: unknown } | undefined;
  if (options?.outputSchema && typeof options.outputSchema === 'object')
    request.outputSchema = options.outputSchema as Record<string, unknown>;
  return { line, id: itemId, request, extra };
}

function toMessages(input: unknown, prompt: unknown): ChatMessage[] | string {
  if (typeof prompt === 'string' && prompt.trim() !== '') return [{ role: 'user', content: prompt }];
  const messages = (input as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return 'needs `input.messages` (a non-empty array) or `prompt` (a string)';
  for (const [index, message] of messages.entries()) {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !roles.has(role))
      return `input.messages[${index}].role must be system, user or assistant`;
    if (typeof content !== 'string') return `input.messages[${index}].content must be a string`;
  }
  return messages as ChatMessage[];
}

/** Lines longer than this are refused: one runaway line should not take the whole job's memory. @default 1 MiB */
export const defaultMaxLineBytes = 1024 * 1024;

/** Stream the items of a JSON Lines file (or stdin for `-`), skipping blank lines. */
export async function* readItems(file: string, maxLineBytes = defaultMaxLineBytes): AsyncGenerator<ItemLine> {
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxLineBytes)
      yield { line, error: `line ${line}: ${bytes} bytes, over the limit of ${maxLineBytes} (--max-line-bytes)` };
    else yield parseItemLine(text, line);
  }
}

/** Count the non-blank lines of a file, for progress; undefined for stdin. */
export async function countItems(file: string): Promise<number | undefined> {
  if (file === '-') return undefined;
  let count = 0;
  for await (const text of createInterface({
    input: createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  })) {
    if (text.trim() !== '') count++;
  }
  return count;
}
