import type { CacheOutcome, CascadeResult, GateRecord, TraceEntry } from './result.js';

/** What every event of one item carries: which cascade, which item, and when (ms on the process clock). */
export interface EventState {
  cascade: string;
  /** The request's id, when it has one. */
  item?: string;
  /** `performance.now()` when the event happened. */
  at: number;
}

/**
 * What happens in a run, as it happens, one noun-verb event at a time. The trace, a progress line or
 * OpenTelemetry spans can all be built from these.
 */
export type CascadeEvent =
  | ({ type: 'item-start' } & EventState)
  | ({ type: 'cache-hit'; cache: CacheOutcome } & EventState)
  | ({ type: 'tier-start'; tier: string; model: string } & EventState)
  /** A gate's verdict, and how long the gate took (ms). */
  | ({ type: 'gate-end'; tier: string; gate: GateRecord; ms: number } & EventState)
  /** A tier's attempt ended: answered (accepted or not), failed after its retries, or skipped. */
  | ({ type: 'tier-end'; tier: string; entry: TraceEntry } & EventState)
  | ({ type: 'budget-stop'; tier: string; message: string } & EventState)
  | ({ type: 'item-end'; result: CascadeResult } & EventState);

/** Receives every event of a run. It should return quickly: the run waits for it. */
export type EventListener = (event: CascadeEvent) => void;
