import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** One line of a file: its text, or only its length when it was longer than the reader holds. */
export type Line =
  | { line: number; text: string; offset: number; bytes: number; terminated: boolean }
  | { line: number; tooLong: true; offset: number; bytes: number; terminated: boolean };

/**
 * The lines of a stream, numbered from 1, with their byte offsets. A line longer than `maxLineBytes` is
 * skipped as it streams past (its bytes are counted, never held), so memory stays within about one
 * chunk plus `maxLineBytes` whatever the input holds. `terminated` is false for a last line without
 * its newline. A trailing `\r` is dropped (CRLF files).
 */
export async function* readLines(input: string | Readable, maxLineBytes = Infinity): AsyncGenerator<Line> {
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  let parts: Buffer[] = [];
  let held = 0;
  let bytes = 0;
  let skipping = false;
  let line = 0;
  let offset = 0;
  /** The line ended: its text is `whole` when it lay whole in one chunk, else what `parts` hold. */
  const emit = (terminated: boolean, whole?: string): Line => {
    line++;
    const start = offset;
    const length = bytes;
    offset += bytes + (terminated ? 1 : 0);
    const out: Line = skipping
      ? { line, tooLong: true, offset: start, bytes: length, terminated }
      : { line, text: withoutCarriageReturn(whole ?? decode(parts, held)), offset: start, bytes: length, terminated };
    if (parts.length > 0) parts = [];
    held = 0;
    bytes = 0;
    skipping = false;
    return out;
  };
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(0x0a, start);
      if (newline !== -1 && held === 0 && bytes === 0 && newline - start <= maxLineBytes) {
        // A whole line inside this chunk: decoded from it at once, without a copy of its bytes.
        bytes = newline - start;
        yield emit(true, buffer.toString('utf8', start, newline));
        start = newline + 1;
        continue;
      }
      const end = newline === -1 ? buffer.length : newline;
      const piece = buffer.subarray(start, end);
      bytes += piece.length;
      if (!skipping) {
        if (held + piece.length > maxLineBytes) {
          skipping = true;
          parts = [];
          held = 0;
        } else if (piece.length > 0) {
          // Copy: the stream may reuse its chunk's memory.
          parts.push(Buffer.from(piece));
          held += piece.length;
        }
      }
      if (newline === -1) break;
      yield emit(true);
      start = newline + 1;
    }
  }
  if (bytes > 0 || parts.length > 0) yield emit(false);
}

function decode(parts: Buffer[], length: number): string {
  return (parts.length === 1 ? parts[0]! : Buffer.concat(parts, length)).toString('utf8');
}

function withoutCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
