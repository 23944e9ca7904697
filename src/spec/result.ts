import type { Usage } from './completion.js';

/** Why a cascade run ended. */
export type StopReason = 'accepted' | 'exhausted' | 'budget' | 'error';

/** One gate verdict as the trace records it. */
export interface GateRecord {
  name: string;
  pass: boolean;
  score?: number;
  threshold?: number;
  reason: string;
  costUsd: number;
}

/** One attempt at one tier. */
export interface TraceEntry {
  tier: string;
  provider: string;
  model: string;
  usage: Usage;
  /** The call's cost plus its gates' cost. */
  costUsd: number;
  latencyMs: number;
  /** Retries spent on this attempt (0 when the first call answered). */
  retries: number;
  /** Set when the tier produced no answer: its error after retries, or why it was skipped. */
  error?: { kind: string; message: string; statusCode?: number };
  /** Set when the tier was not called at all. */
  skipped?: 'circuit-open' | 'budget';
  gates: GateRecord[];
  accepted: boolean;
  confidence?: number;
}

export interface CascadeResult {
  /** The final answer; absent when no tier answered or `onExhausted: fail` refused to return one. */
  text?: string;
  /** The parsed answer, when a json-schema gate parsed it. */
  value?: unknown;
  tier?: string;
  model?: string;
  /** Whether every gate of the answering tier passed. */
  accepted: boolean;
  stop: StopReason;
  costUsd: number;
  latencyMs: number;
  trace: TraceEntry[];
  /** A one-line explanation when the run did not end in `accepted`. */
  message?: string;
}
