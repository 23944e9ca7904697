import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Pricing } from './pricing.js';

const require = createRequire(import.meta.url);
type Prices = typeof import('@pydantic/genai-prices');
let prices: Prices | undefined;
// Loaded at the first price asked for (its data is 2 MB), and read from the package: no network.
const database = (): Prices => {
  prices ??= require('@pydantic/genai-prices') as Prices;
  return prices;
};

/** A per-million-token price as the database gives it: a number, or tiered prices of which the base applies. */
function perMTok(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const base = (value as { base?: unknown } | undefined)?.base;
  return typeof base === 'number' ? base : undefined;
}

/**
 * The standard input and output price of `model` in `@pydantic/genai-prices` (a maintained, dated
 * database of provider prices, MIT), or undefined. Anthropic models are looked up under Anthropic; others
 * under any provider (an OpenAI-compatible tier may serve Gemini or DeepSeek).
 */
export function maintainedPrice(
  provider: string,
  model: string,
  now: Date = new Date(),
): { pricing: Pricing; since?: string } | undefined {
  // The price in force today (the database keeps dated prices). A price that changes with the time of day
  // (DeepSeek's off-peak discount) is taken at its dearest hour, so a budget holds at any hour and a figure
  // does not change with the hour it was computed: today's clock is sampled every half hour.
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let found: ReturnType<Prices['calcPrice']> | undefined;
  let input: number | undefined;
  let output: number | undefined;
  for (let slot = 0; slot < 48; slot++) {
    const at = database().calcPrice({ input_tokens: 0, output_tokens: 0 }, model, {
      ...(provider === 'anthropic' && { providerId: 'anthropic' }),
      timestamp: new Date(day + (slot * 30 + 15) * 60_000),
    });
    if (!at) return undefined;
    const slotInput = perMTok(at.model_price['input_mtok']);
    const slotOutput = perMTok(at.model_price['output_mtok']);
    if (slotInput === undefined || slotOutput === undefined) return undefined;
    if (input === undefined || slotInput > input || (slotInput === input && slotOutput > output!)) {
      found = at;
      input = slotInput;
      output = slotOutput;
    }
    // A model whose price has no time-of-day entries gives the same answer all day.
    if (slot === 0 && !hasTimeOfDayPrice(at.model.prices)) break;
  }
  if (!found || input === undefined || output === undefined) return undefined;
  // A dated price says since when it applies; a model's only price has no date of its own.
  const dated = Array.isArray(found.model.prices)
    ? (found.model.prices as { prices: unknown; constraint?: { start_date?: string } }[]).find(
        (entry) => entry.prices === found.model_price,
      )?.constraint?.start_date
    : undefined;
  return { pricing: { inputPerMTok: input, outputPerMTok: output }, ...(dated && { since: dated }) };
}

function hasTimeOfDayPrice(prices: unknown): boolean {
  return (
    Array.isArray(prices) &&
    prices.some((entry) => (entry as { constraint?: { type?: string } }).constraint?.type === 'time_of_date')
  );
}

let newestChange: string | undefined;

/**
 * The date of the newest price change in force that the installed database holds: how recent its prices
 * are (the package carries no date of its own, and nothing is fetched; changes it schedules for later
 * dates are not counted). Read from its bundle once.
 */
export function maintainedPricesDate(today = new Date().toISOString().slice(0, 10)): string | undefined {
  if (newestChange === undefined) {
    const text = readFileSync(require.resolve('@pydantic/genai-prices'), 'utf8');
    let newest = '';
    for (const match of text.matchAll(/start_date:\s*"(\d{4}-\d{2}-\d{2})"/g)) {
      if (match[1]! > newest && match[1]! <= today) newest = match[1]!;
    }
    newestChange = newest;
  }
  return newestChange || undefined;
}

/** The installed database's version, which dates its prices. */
export function maintainedPricesVersion(): string {
  // The package does not export its package.json: it sits one folder above the entry point.
  const entry = require.resolve('@pydantic/genai-prices');
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}
