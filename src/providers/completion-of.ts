import type { ToolCall } from '../spec/tools.js';
import { UnexpectedResponseError } from '../errors/index.js';
import { costUsd, type Pricing } from '../pricing/price-table.js';
import type { Completion } from '../spec/completion.js';
import type { CascadeRequest } from '../spec/request.js';
import { countMessageTokens, countTokens } from '../tokens/count-tokens.js';
import { confidenceFromLogprobs } from './endpoint-options.js';

/** A usable token count: a finite number of at least 0 (servers have sent -1e9, "NaN" and nothing). */
function usableCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

/**
 * The completion a provider returns, from what its API answered: cost from the tier's price and the
 * token counts, and a confidence when the answer came with token log-probabilities. A token count the
 * server did not send, or sent as a negative or non-finite number, is replaced by a count of the text
 * with the o200k tokenizer (the output by the full max-token allowance when there is no text), so a bad
 * usage report can neither make a call free nor turn a budget off; `usageEstimated` says so.
 */
export function completionOf(answer: {
  text: string;
  toolCalls?: ToolCall[] | undefined;
  model: string;
  request: CascadeRequest;
  inputTokens: unknown;
  outputTokens: unknown;
  pricing: Pricing | undefined;
  latencyMs: number;
  logprobs?: readonly number[] | undefined;
  /** Names the provider and model in errors. */
  label: string;
  allowEmpty?: boolean | undefined;
}): Completion {
  // An empty answer is no answer, on every provider alike, unless the tier says empty is valid.
  if (answer.text.trim() === '' && !answer.toolCalls?.length && !answer.allowEmpty) {
    throw new UnexpectedResponseError(
      `${answer.label}: the answer is empty (set \`allowEmpty: true\` on the tier if empty answers are valid)`,
    );
  }
  const reported = { input: usableCount(answer.inputTokens), output: usableCount(answer.outputTokens) };
  const inputTokens = reported.input ?? countMessageTokens(answer.request.messages);
  const outputTokens =
    reported.output ?? (answer.text === '' ? (answer.request.params?.maxTokens ?? 0) : countTokens(answer.text));
  const completion: Completion = {
    text: answer.text,
    model: answer.model,
    usage: { inputTokens, outputTokens },
    costUsd: costUsd(answer.pricing, inputTokens, outputTokens),
    latencyMs: answer.latencyMs,
  };
  if (answer.toolCalls?.length) completion.toolCalls = answer.toolCalls;
  const estimated = [
    reported.input === undefined && `input tokens ${describe(answer.inputTokens)}`,
    reported.output === undefined && `output tokens ${describe(answer.outputTokens)}`,
  ].filter(Boolean);
  if (estimated.length > 0) completion.usageEstimated = `${estimated.join(', ')}: counted with the o200k tokenizer`;
  const confidence = answer.logprobs ? confidenceFromLogprobs(answer.logprobs) : undefined;
  if (confidence !== undefined) {
    completion.confidence = confidence;
    completion.confidenceSource = 'logprobs';
  }
  return completion;
}

function describe(value: unknown): string {
  return value === undefined || value === null
    ? 'not reported'
    : `reported as ${JSON.stringify(value) ?? String(value)}`;
}
