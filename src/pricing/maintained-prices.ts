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
const priceMemo = new Map<string, { pricing: Pricing; since?: string } | undefined>();

export function maintainedPrice(
  provider: string,
  model: string,
  now: Date = new Date(),
): { pricing: Pricing; since?: string } | undefined {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const key = `${provider}|${model}|${day}`;
  if (priceMemo.has(key)) return priceMemo.get(key);
  const price = priceOnDay(provider, model, day);
  priceMemo.set(key, price);
  return price;
}

/**
 * The price in force on `day` (the database keeps dated prices). A price that changes with the time of
 * day (DeepSeek's off-peak discount) is taken at its dearest, input and output each, so a budget holds
 * at any hour and a figure does not change with the hour it was computed: the day is sampled every half
 * hour and just after each time-of-day window opens.
 */
function priceOnDay(provider: string, model: string, day: number): { pricing: Pricing; since?: string } | undefined {
  const at = (minutes: number) =>
    database().calcPrice({ input_tokens: 0, output_tokens: 0 }, model, {
      ...(provider === 'anthropic' && { providerId: 'anthropic' }),
      timestamp: new Date(day + minutes * 60_000),
    });
  const first = at(15);
  if (!first) return undefined;
  const minutes = [15];
  const windows = timeOfDayStarts(first.model.prices);
  if (windows.length > 0) {
    for (let slot = 1; slot < 48; slot++) minutes.push(slot * 30 + 15);
    for (const start of windows) minutes.push(start + 1);
  }
  let found = first;
  let input: number | undefined;
  let output: number | undefined;
  for (const minute of minutes) {
    const priced = minute === 15 ? first : at(minute);
    if (!priced) continue;
    const slotInput = perMTok(priced.model_price['input_mtok']);
    const slotOutput = perMTok(priced.model_price['output_mtok']);
    if (slotInput === undefined || slotOutput === undefined) return undefined;
    if (input === undefined || slotInput > input) {
      found = priced;
      input = slotInput;
    }
    output = Math.max(output ?? slotOutput, slotOutput);
  }
  if (input === undefined || output === undefined) return undefined;
  // A dated price says since when it applies; a model's only price has no date of its own.
  const dated = Array.isArray(found.model.prices)
    ? (found.model.prices as { prices: unknown; constraint?: { start_date?: string } }[]).find(
        (entry) => entry.prices === found.model_price,
      )?.constraint?.start_date
    : undefined;
  return { pricing: { inputPerMTok: input, outputPerMTok: output }, ...(dated && { since: dated }) };
}

/** Minutes after midnight (UTC) at which each time-of-day price of a model starts. */
function timeOfDayStarts(prices: unknown): number[] {
  if (!Array.isArray(prices)) return [];
  const starts: number[] = [];
  for (const entry of prices as { constraint?: { type?: string; start_time?: string } }[]) {
    const time =
      entry.constraint?.type === 'time_of_date' ? /^(\d{2}):(\d{2})/.exec(entry.constraint.start_time ?? '') : null;
    if (time) starts.push(Number(time[1]) * 60 + Number(time[2]));
  }
  return starts;
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
