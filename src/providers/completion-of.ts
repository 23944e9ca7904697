import { costUsd, type Pricing } from '../pricing/price-table.js';
import type { Completion } from '../spec/completion.js';
import { confidenceFromLogprobs } from './endpoint-options.js';

/**
 * The completion a provider returns, from what its API answered: cost from the tier's price and the
 * token counts, and a confidence when the answer came with token log-probabilities.
 */
export function completionOf(answer: {
  text: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  pricing: Pricing | undefined;
  latencyMs: number;
  logprobs?: readonly number[] | undefined;
}): Completion {
  const completion: Completion = {
    text: answer.text,
    model: answer.model,
    usage: { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens },
    costUsd: costUsd(answer.pricing, answer.inputTokens, answer.outputTokens),
    latencyMs: answer.latencyMs,
  };
  const confidence = answer.logprobs ? confidenceFromLogprobs(answer.logprobs) : undefined;
  if (confidence !== undefined) {
    completion.confidence = confidence;
    completion.confidenceSource = 'logprobs';
  }
  return completion;
}
