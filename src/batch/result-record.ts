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
