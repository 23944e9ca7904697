import { AbortedError } from '../errors/index.js';
import type { CascadeResult } from '../spec/result.js';

/** What a result line says about its item: its id and the fields it came with. */
export interface RecordedItem {
  id: string;
  extra: Record<string, unknown>;
}

/** The result line of an answered item, as a local run and a queue worker both write it. */
export function resultRecord(item: RecordedItem, result: CascadeResult, inputHash: string): Record<string, unknown> {
  return { id: item.id, ...item.extra, ...result, inputHash };
}

/** The result line of an item whose run threw; undefined for a cancelled one, which is left for the next run. */
export function failureRecord(
  item: RecordedItem,
  error: unknown,
  inputHash: string,
): Record<string, unknown> | undefined {
  if (error instanceof AbortedError) return undefined;
  return {
    id: item.id,
    ...item.extra,
    stop: 'error',
    error: error instanceof Error ? error.message : String(error),
    inputHash,
  };
}

/** The result line of an input line that cannot be run (not JSON, no id, no messages), with why. */
export function badLineRecord(item: { line: number; id?: string | undefined; error: string }): Record<string, unknown> {
  return { ...(item.id !== undefined && { id: item.id }), line: item.line, stop: 'error', error: item.error };
}

/**
 * The result line of a second line with an id already seen. No `id` field: the first line with this id
 * owns it, so ids stay unique in the output.
 */
export function duplicateIdRecord(
  item: { line: number; id: string; rawId: string },
  firstLine: number,
): Record<string, unknown> {
  return {
    line: item.line,
    duplicateId: item.id,
    stop: 'error',
    error: `line ${item.line}: duplicate id ${item.rawId} (first on line ${firstLine})`,
  };
}
