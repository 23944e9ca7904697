import type { ToolCall } from './tools.js';

/** Token counts as the provider reported them. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Where a completion's confidence came from. */
export type ConfidenceSource = 'logprobs' | 'recorded';

/** One answer of one model. */
export interface Completion {
  text: string;
  /** The tool calls of the answer, when the request carried tools. */
  toolCalls?: ToolCall[];
  model: string;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
  /** The model's confidence in [0,1], when the provider gives one (log-probabilities or a recording). */
  confidence?: number;
  confidenceSource?: ConfidenceSource;
  /** Set when the server's token counts were missing or unusable and were counted here instead: why. */
  usageEstimated?: string;
  /** Retries the call took, set by the retry middleware. */
  retries?: number;
  /** Failed tries before this answer that may still have been billed (timed out, cut or malformed). */
  possiblyBilledTries?: number;
  /** Set when the answer came from the queue's memo of a call an earlier run of the same job paid for. */
  memoised?: true;
}
