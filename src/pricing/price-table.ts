import { maintainedPrice, maintainedPricesDate, maintainedPricesVersion } from './maintained-prices.js';

import type { Pricing } from './pricing.js';
import { once } from '../common/once.js';

export type { Pricing };

/**
 * Built-in list prices, USD per million tokens, standard (non-batch, non-cached) rates.
 * Source: the public API price lists of OpenAI and Anthropic, as read on 2025-11-01.
 * A model matches its row exactly or as a dated snapshot of it (`gpt-4o-mini-2024-07-18`,
 * `claude-haiku-4-5-20251001`). Newer models are not guessed from their family's name (a
 * `gpt-5.4-mini` is not priced as `gpt-5`): give those tiers their own `pricing`.
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
  'claude-opus-4-0': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-sonnet-4-0': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-3-7-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-3-haiku': { inputPerMTok: 0.25, outputPerMTok: 1.25 },
};

/** `-2024-07-18` or `-20251001` at the end of a model name: a dated snapshot of the same model. */
const snapshotSuffix = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

const free: Pricing = { inputPerMTok: 0, outputPerMTok: 0 };

/** Where a price came from, for the summary and `cascade prices`. */
export type PriceSource = 'tier pricing' | 'ollama (local, free)' | 'maintained' | 'built-in';

/**
 * The price of `model` on `provider` and where it came from: the tier's own pricing, else free for
 * Ollama, else the maintained database (`@pydantic/genai-prices`), else the built-in table (an offline
 * fallback, dated `priceTableDate`), else undefined.
 */
export function findPriceWithSource(
  provider: string,
  model: string,
  own?: Pricing,
): { pricing: Pricing; source: PriceSource; since?: string } | undefined {
  if (own) return { pricing: own, source: 'tier pricing' };
  if (provider === 'ollama') return { pricing: free, source: 'ollama (local, free)' };
  const maintained = maintainedPrice(provider, model);
  if (maintained) return { ...maintained, source: 'maintained' };
  for (const name of [model, model.replace(snapshotSuffix, '')]) {
    if (Object.hasOwn(builtInPrices, name)) return { pricing: builtInPrices[name]!, source: 'built-in' };
  }
  return undefined;
}

/** The price of `model` on `provider` (see `findPriceWithSource`), or undefined. */
export function findPricing(provider: string, model: string, own?: Pricing): Pricing | undefined {
  return findPriceWithSource(provider, model, own)?.pricing;
}

/**
 * `findPricing` looked up on the first call and kept: a provider made at start-up loads the maintained
 * price database only when it first costs an answer (a replay whose records carry costUsd never does).
 */
export function pricingOnFirstUse(provider: string, model: string, own?: Pricing): () => Pricing | undefined {
  return once(() => findPricing(provider, model, own));
}

/** A source in words, with its version or date. */
export function describePriceSource(source: PriceSource, since?: string): string {
  if (source === 'maintained') {
    const newest = maintainedPricesDate();
    return `@pydantic/genai-prices ${maintainedPricesVersion()}${newest ? `, newest price change ${newest}` : ''}${since ? `; this one since ${since}` : ''}`;
  }
  if (source === 'built-in') return `the built-in table of ${priceTableDate}`;
  return source;
}

export function costUsd(pricing: Pricing | undefined, inputTokens: number, outputTokens: number): number {
  if (!pricing) return 0;
  return (inputTokens * pricing.inputPerMTok + outputTokens * pricing.outputPerMTok) / 1_000_000;
}
