/** USD per million tokens. */
export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
}

/**
 * Built-in list prices, USD per million tokens, standard (non-batch, non-cached) rates.
 * Source: the public API price lists of OpenAI and Anthropic, as read on 2025-11-01.
 * A model matches the longest prefix here, so dated snapshots (`gpt-4o-mini-2024-07-18`) and
 * versions of a family that kept its price (`claude-sonnet-4-…`) find their row.
 * A tier's own `pricing` always wins; Ollama models are free unless priced.
 */
export const priceTableDate = '2025-11-01';

export const builtInPrices: Readonly<Record<string, Pricing>> = {
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4-turbo': { inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-3.5-turbo': { inputPerMTok: 0.5, outputPerMTok: 1.5 },
  o3: { inputPerMTok: 2, outputPerMTok: 8 },
  'o3-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-3-7-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-5-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-3-haiku': { inputPerMTok: 0.25, outputPerMTok: 1.25 },
};

const free: Pricing = { inputPerMTok: 0, outputPerMTok: 0 };

/** The price of `model` on `provider`: the tier's own pricing, else the built-in table, else undefined. */
export function findPricing(provider: string, model: string, own?: Pricing): Pricing | undefined {
  if (own) return own;
  if (provider === 'ollama') return free;
  let best: string | undefined;
  for (const prefix of Object.keys(builtInPrices)) {
    if (model.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : builtInPrices[best];
}

export function costUsd(pricing: Pricing | undefined, inputTokens: number, outputTokens: number): number {
  if (!pricing) return 0;
  return (inputTokens * pricing.inputPerMTok + outputTokens * pricing.outputPerMTok) / 1_000_000;
}
