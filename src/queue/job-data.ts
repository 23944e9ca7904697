import type { CascadeRequest } from '../spec/request.js';

/** One item of a queued run, as a BullMQ job carries it. */
export interface ItemJob {
  runId: string;
  /** When the run was started (its `createdAt`): results of a run started afresh under the same id are told apart. */
  generation: string;
  /** The item's key in the output (`id:<idKey>`), what the collector dedupes on. */
  itemKey: string;
  id: string;
  rawId: string;
  request: CascadeRequest;
  extra: Record<string, unknown>;
  inputHash: string;
  /** Enqueued by a resumed collector: an earlier job for this item may have run and paid for calls. */
  mayHaveRun?: boolean;
}

/** A finished item, as a worker adds it to the run's results stream. */
export interface ItemOutcome {
  itemKey: string;
  /** The job's `generation`. */
  generation?: string;
  rawId: string;
  record: Record<string, unknown>;
}
