import type { ToolCall } from './tools.js';
import type { Usage } from './completion.js';

/** Why a cascade run ended. */
export type StopReason = 'accepted' | 'exhausted' | 'budget' | 'deadline' | 'error';

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
  skipped?: 'circuit-open' | 'budget' | 'downshift' | 'deadline';
  gates: GateRecord[];
  accepted: boolean;
  confidence?: number;
  /**
   * The worst case charged for tries that failed but may still have been billed (a timeout, a cut or
   * malformed answer); included in `costUsd` so budgets and summaries count it.
   */
  possiblyBilledUsd?: number;
  /** Set when the provider's token counts were missing or unusable and were counted instead: why. */
  usageEstimated?: string;
  /** Tokens the tier's gates spent on calls of their own (a judge), apart from `usage`; their cost is in `costUsd`. */
  gateUsage?: { inputTokens: number; outputTokens: number };
  /** The call was paid by an earlier run of this queue job (its worker died) and answered from the run's memo. */
  memoised?: true;
  /** Set when the tier compresses its prompt: o200k tokens before and after, and what that saved at the tier's input price. */
  compression?: { tokensBefore: number; tokensAfter: number; savedUsd: number };
}

/** What the response cache did for a request: served it (exact or semantic), or missed, and why. */
export interface CacheOutcome {
  kind: 'exact' | 'semantic' | 'miss';
  /** Cosine similarity of the question served, for a semantic hit. */
  similarity?: number;
  /** The stored question a semantic hit answered with. */
  matched?: string;
  /** When the served answer was stored (ISO 8601). */
  storedAt?: string;
  /** What the served answer cost when it was made: what this hit saved. */
  savedUsd?: number;
  /** Close candidates a guard refused: which guard, why, and how close they were. */
  refused?: { guard: string; reason: string; similarity: number }[];
  /** Why the cache could not be asked (an embedder that failed); the tiers answered instead. */
  error?: string;
  /** What embedding the question cost (a paid embedder); included in the result's `costUsd`. */
  embedCostUsd?: number;
}

export interface CascadeResult {
  /** The final answer; absent when no tier answered or `onExhausted: fail` refused to return one. */
  text?: string;
  /** The parsed answer, when a json-schema gate parsed it. */
  value?: unknown;
  /** The answer's tool calls (an agent step), arguments parsed. */
  toolCalls?: ToolCall[];
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
  /**
   * Set when a start rule chose the tiers (the rule's name and the tiers it ran on), or when a rule asked a
   * classifier model (what each answered and cost, counted in `costUsd`), whether or not its rule matched.
   */
  route?: {
    rule?: string;
    tiers: string[];
    classifiers?: { model: string; label?: string; costUsd: number; latencyMs: number; error?: string }[];
  };
  /** Set when the cascade has a cache. */
  cache?: CacheOutcome;
}
