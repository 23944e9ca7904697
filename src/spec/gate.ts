import type { Completion, Usage } from './completion.js';
import type { CascadeRequest } from './request.js';

/** What a gate sees: the request the tier answered, the raw completion, and the answer as earlier gates left it. */
export interface GateInput {
  request: CascadeRequest;
  completion: Completion;
  /** The answer text after earlier gates' rewrites (a confidence gate strips its trailer, for example). */
  text: string;
  tierName: string;
  /** Answers of the tiers tried before this one in the same run, oldest first. */
  earlier: readonly EarlierAnswer[];
}

/** An answer an earlier tier gave (whether or not its gates passed). */
export interface EarlierAnswer {
  tier: string;
  model: string;
  text: string;
}

/** A gate's judgement. A failing check is a verdict, not an exception; only a broken gate throws. */
export interface GateVerdict {
  pass: boolean;
  /** The measured quantity (confidence, judge score, 1/0 for a match), when there is one. */
  score?: number;
  reason: string;
  /** What the gate itself spent (a judge's call). */
  costUsd?: number;
  usage?: Usage;
  /**
   * How long the gate's own model calls took, as they report it (a replayed call, its recorded latency).
   * A tier replayed from a recording counts this, not the gates' wall time, so its replays agree.
   */
  latencyMs?: number;
  /** A parsed value, from a gate that parses (json-schema). */
  value?: unknown;
  /** A rewritten answer for later gates and the result (a confidence trailer removed, for example). */
  text?: string;
}

export interface GateCheckOptions {
  signal?: AbortSignal;
}

export interface Gate {
  readonly specificationVersion: 'v1';
  /** The gate's name in traces, e.g. `json-schema`. */
  readonly name: string;
  /** Gates run in increasing order of this rank, cheapest first. */
  readonly costRank: number;
  /** The bar the score must reach, for gates that have one. */
  readonly threshold?: number;
  /** Adjust the request before the tier is called (ask for a confidence, for log-probabilities, ...). */
  prepareRequest?(request: CascadeRequest): CascadeRequest;
  /** The most this gate can spend checking one answer of at most `answerTokens` tokens. */
  maxCostUsd?(request: CascadeRequest, answerTokens: number): number;
  check(input: GateInput, options?: GateCheckOptions): Promise<GateVerdict>;
}
