import { existsSync, openSync, readFileSync, closeSync, ftruncateSync } from 'node:fs';

/** The key a result line is known by: its item's id, or `line:N` for a line that had no usable id. */
export function resultKey(record: { id?: unknown; line?: unknown }): string | undefined {
  if (typeof record.id === 'string') return `id:${record.id}`;
  if (typeof record.line === 'number') return `line:${record.line}`;
  return undefined;
}

export interface ResumeState {
  /** Keys of the items already written. */
  done: Set<string>;
  /** Bytes cut from the end: a line torn by a crash, to be redone. */
  truncatedBytes: number;
}

/**
 * Read what an earlier run of the same command wrote. Every complete line is a finished item. A last
 * line without its newline (the process died while writing it) is cut off, so the item is run again
 * and appears once.
 */
export function prepareResume(path: string): ResumeState {
  const done = new Set<string>();
  if (!existsSync(path)) return { done, truncatedBytes: 0 };
  const buffer = readFileSync(path);
  let end = buffer.lastIndexOf(0x0a) + 1;
  let start = 0;
  while (start < end) {
    const newline = buffer.indexOf(0x0a, start);
    const text = buffer.subarray(start, newline).toString('utf8');
    try {
      const key = text.trim() === '' ? undefined : resultKey(JSON.parse(text));
      if (key) done.add(key);
    } catch {
      // A complete line that does not parse can only come from outside this tool; keep what is after it out.
      end = start;
      break;
    }
    start = newline + 1;
  }
  const truncatedBytes = buffer.length - end;
  if (truncatedBytes > 0) {
    const descriptor = openSync(path, 'r+');
    try {
      ftruncateSync(descriptor, end);
    } finally {
      closeSync(descriptor);
    }
  }
  return { done, truncatedBytes };
}
