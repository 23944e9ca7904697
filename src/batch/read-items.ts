import { idKeyOf, idTextOf, rawIdOf } from '../output/raw-id.js';
import { createReadStream, statSync } from 'node:fs';
import { readLines } from '../output/read-lines.js';
import type { CascadeRequest, ChatMessage } from '../spec/request.js';

/** How an item's id was written: its source text (`rawId`), the key it is known by, and its text. */
export interface ItemId {
  /** The id as a string: a string's value, a number as written. */
  id: string;
  /** Distinct for distinct ids as written (`1` and `"1"` differ). */
  idKey: string;
  /** The JSON source of the id, written back into the result line as it was. */
  rawId: string;
}

/** One line of an items file: a request to run, or why the line cannot be run. */
export type ItemLine =
  | ({ line: number; request: CascadeRequest; extra: Record<string, unknown> } & ItemId)
  | ({ line: number; error: string } & Partial<ItemId>);

const roles = new Set(['system', 'user', 'assistant', 'tool']);

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
  const itemId = leadingStringId(text, id) ?? idAsWritten(text);
  if (itemId === undefined) return { line, error: `line ${line}: the \`id\` could not be read as written` };
  const messages = toMessages(input, prompt);
  if (typeof messages === 'string') return { line, ...itemId, error: `line ${line}: ${messages}` };
  const request: CascadeRequest = { id: itemId.id, messages };
  const options = input as { outputSchema?: unknown; tools?: unknown; toolChoice?: unknown } | undefined;
  if (options?.outputSchema && typeof options.outputSchema === 'object')
    request.outputSchema = options.outputSchema as Record<string, unknown>;
  if (options?.tools !== undefined) {
    const tools = options.tools;
    const valid =
      Array.isArray(tools) &&
      tools.every(
        (tool) =>
          typeof (tool as { name?: unknown })?.name === 'string' &&
          typeof (tool as { parameters?: unknown }).parameters === 'object',
      );
    if (!valid)
      return {
        line,
        ...itemId,
        error: `line ${line}: input.tools must be a list of { name, description, parameters }`,
      };
    request.tools = tools as CascadeRequest['tools'] & object;
    if (options.toolChoice !== undefined)
      request.toolChoice = options.toolChoice as NonNullable<CascadeRequest['toolChoice']>;
  }
  return { line, ...itemId, request, extra };
}

function idAsWritten(text: string): ItemId | undefined {
  const rawId = rawIdOf(text);
  return rawId === undefined ? undefined : { id: idTextOf(rawId), idKey: idKeyOf(rawId), rawId };
}

const compactStart = '{"id":"';

/**
 * The id of a line that starts `{"id":"...` with a string of no escapes, the line's only `id` member
 * (no other `"id"` in it, and no `\u` escape that could spell one): that string as written, its key and
 * its text, without scanning the line (`rawIdOf`). Undefined for any other line.
 */
function leadingStringId(text: string, parsedId: string | number): ItemId | undefined {
  if (typeof parsedId !== 'string' || !text.startsWith(compactStart)) return undefined;
  const end = compactStart.length + parsedId.length;
  const written = text.slice(compactStart.length, end);
  if (text.charCodeAt(end) !== 0x22 || written !== parsedId || written.includes('\\')) return undefined;
  if (text.includes('"id"', end) || text.includes('\\u')) return undefined;
  // The key as idKeyOf makes it (JSON.stringify would escape a lone surrogate the source holds raw).
  return { id: parsedId, idKey: JSON.stringify(parsedId), rawId: text.slice(compactStart.length - 1, end + 1) };
}

function toMessages(input: unknown, prompt: unknown): ChatMessage[] | string {
  if (typeof prompt === 'string' && prompt.trim() !== '') return [{ role: 'user', content: prompt }];
  const messages = (input as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return 'needs `input.messages` (a non-empty array) or `prompt` (a string)';
  for (const [index, message] of messages.entries()) {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !roles.has(role))
      return `input.messages[${index}].role must be system, user, assistant or tool`;
    if (typeof content !== 'string') return `input.messages[${index}].content must be a string`;
  }
  return messages as ChatMessage[];
}

/** Lines longer than this are refused: one runaway line should not take the whole job's memory. @default 1 MiB */
export const defaultMaxLineBytes = 1024 * 1024;

/**
 * Stream the items of a JSON Lines file (or stdin for `-`), skipping blank lines. A line over
 * `maxLineBytes` is refused without ever being held in memory.
 */
export async function* readItems(file: string, maxLineBytes = defaultMaxLineBytes): AsyncGenerator<ItemLine> {
  for await (const read of readLines(file === '-' ? process.stdin : file, maxLineBytes)) {
    if ('tooLong' in read) {
      yield {
        line: read.line,
        error: `line ${read.line}: ${read.bytes} bytes, over the limit of ${maxLineBytes} (--max-line-bytes)`,
      };
    } else if (read.text.trim() !== '') {
      yield parseItemLine(read.text, read.line);
    }
  }
}

/**
 * Count the lines `readItems` yields (non-blank, or over `maxLineBytes`) for progress; undefined for stdin
 * and anything else that is not a regular file: a second reader of a pipe (a FIFO, /dev/stdin) would take
 * lines from the run, or wait on it for ever. Counted on the bytes: a line is settled by its first byte that is neither ASCII white space nor part of a
 * non-ASCII character, and only a line of nothing else is decoded (to tell, as `trim` does, whether its
 * characters are white space), so the input is not decoded line by line twice.
 */
export async function countItems(file: string, maxLineBytes = defaultMaxLineBytes): Promise<number | undefined> {
  if (file === '-' || !statSync(file).isFile()) return undefined;
  let count = 0;
  // The line being read: its length, whether it holds a character that is not white space, and, while
  // that is not known, its non-ASCII bytes (at most `maxLineBytes`: a longer line counts anyway).
  let bytes = 0;
  let settled = false;
  let held: Buffer[] = [];
  const endLine = () => {
    if (settled || bytes > maxLineBytes) count++;
    else if (held.length > 0 && Buffer.concat(held).toString('utf8').trim() !== '') count++;
    bytes = 0;
    settled = false;
    held = [];
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const stop = newline === -1 ? chunk.length : newline;
      if (!settled) {
        let nonAscii = false;
        for (let at = start; at < stop; at++) {
          const byte = chunk[at]!;
          if (byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)) continue;
          if (byte < 0x80) {
            settled = true;
            break;
          }
          nonAscii = true;
        }
        if (!settled && nonAscii && bytes + stop - start <= maxLineBytes)
          held.push(Buffer.from(chunk.subarray(start, stop)));
      }
      bytes += stop - start;
      if (newline === -1) break;
      endLine();
      start = newline + 1;
    }
  }
  if (bytes > 0) endLine();
  return count;
}
