import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';
import { idKeyOf, rawIdOf } from './raw-id.js';
import { readLines } from './read-lines.js';

/** What an earlier run wrote for one item. */
export interface DoneItem {
  stop?: string;
  /** The hash of the input it answered (results written before hashes were kept have none). */
  inputHash?: string;
}

export interface ResumeState {
  /** Keys of the items already written (`resultKey`), with what was written. The last line of a key wins. */
  done: Map<string, DoneItem>;
  /** Bytes cut from the end: a line torn by a crash, to be redone. */
  truncatedBytes: number;
  /** What the results already written cost: a resumed run's budget counts it as spent. */
  spentUsd: number;
  /** Keys written more than once (by --retry-failed or --redo-changed runs), to be compacted. */
  superseded: number;
  /** Whether the output is a regular file (a device or pipe is written but never resumed). */
  regularFile: boolean;
}

/** The key a result line is known by: its item's id as written, or `line:N` for a line that had no usable id. */
export function resultKey(text: string, record: { id?: unknown; line?: unknown }): string | undefined {
  if (typeof record.id === 'string' || typeof record.id === 'number') {
    const rawId = rawIdOf(text);
    if (rawId !== undefined) return `id:${idKeyOf(rawId)}`;
  }
  if (typeof record.line === 'number') return `line:${record.line}`;
  return undefined;
}

/** The key of an item as the input names it (see `resultKey`). */
export const itemKey = (idKey: string) => `id:${idKey}`;

/**
 * Read what an earlier run of the same command wrote. Every complete line is a finished item. A last
 * line without its newline (the process died while writing it) is cut off, so the item is run again
 * and appears once. A complete line that does not parse cannot come from this tool: the run stops,
 * naming the line, and nothing in the file is touched.
 */
export async function prepareResume(path: string): Promise<ResumeState> {
  const state: ResumeState = { done: new Map(), truncatedBytes: 0, spentUsd: 0, superseded: 0, regularFile: true };
  if (!existsSync(path)) return state;
  if (!statSync(path).isFile()) return { ...state, regularFile: false };
  let keep = 0;
  for await (const read of readLines(path)) {
    if (!read.terminated) {
      state.truncatedBytes = read.bytes;
      break;
    }
    keep = read.offset + read.bytes + 1;
    if ('tooLong' in read || read.text.trim() === '') continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(read.text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(
        `${path} line ${read.line} is not a result line (${(error as Error).message}); nothing was run or changed. Fix or remove that line, or start afresh with --overwrite.`,
        { file: path, field: `line ${read.line}` },
      );
    }
    const key = resultKey(read.text, record);
    if (!key) continue;
    if (state.done.has(key)) state.superseded++;
    const item: DoneItem = {};
    if (typeof record['stop'] === 'string') item.stop = record['stop'];
    if (typeof record['inputHash'] === 'string') item.inputHash = record['inputHash'];
    state.done.set(key, item);
    const cost = record['costUsd'];
    if (typeof cost === 'number' && Number.isFinite(cost) && cost > 0) state.spentUsd += cost;
  }
  if (state.truncatedBytes > 0) {
    const descriptor = openSync(path, 'r+');
    try {
      ftruncateSync(descriptor, keep);
    } finally {
      closeSync(descriptor);
    }
  }
  return state;
}

/**
 * Rewrite the output with one line per key, the last written (a redone item's new result replaces its
 * old one). Written to a temporary file, synced and renamed over the output, so a crash leaves either
 * file whole.
 */
export async function compactOutput(path: string): Promise<number> {
  const last = new Map<string, number>();
  for await (const read of readLines(path)) {
    if ('tooLong' in read || !read.terminated || read.text.trim() === '') continue;
    const key = resultKey(read.text, JSON.parse(read.text) as Record<string, unknown>);
    if (key) last.set(key, read.line);
  }
  const temporary = `${path}.compacting`;
  const descriptor = openSync(temporary, 'w');
  let dropped = 0;
  try {
    for await (const read of readLines(path)) {
      if ('tooLong' in read || !read.terminated || read.text.trim() === '') continue;
      const key = resultKey(read.text, JSON.parse(read.text) as Record<string, unknown>);
      if (key && last.get(key) !== read.line) {
        dropped++;
        continue;
      }
      writeSync(descriptor, `${read.text}\n`);
    }
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, path);
  return dropped;
}
