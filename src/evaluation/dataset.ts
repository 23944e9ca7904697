import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { recordedCostUsd } from '../fixtures/recorded-cost.js';
import { readFixtureItems } from '../fixtures/read-fixtures.js';
import { findPricing, type Pricing } from '../pricing/price-table.js';
import type { ChatMessage } from '../spec/request.js';
import { scoreAgainstExpected, type ScoreComparison, type Scorer } from './score-answer.js';

/** A fixture as columns: one array per model, indexed by item. */
export interface Dataset {
  file: string;
  models: string[];
  ids: string[];
  messages: ChatMessage[][];
  /** Whether the model answered the item (some recordings have gaps). */
  available: Uint8Array[];
  score: Float64Array[];
  cost: Float64Array[];
  /** NaN where no confidence was recorded. */
  confidence: Float64Array[];
  text: string[][];
  /** The price used for each model whose recordings lack `costUsd`. */
  pricing: Record<string, Pricing>;
}

export interface LoadDatasetOptions {
  /** Prices by model, over `pricing.json` beside the fixture and the built-in table. */
  pricing?: Record<string, Pricing>;
  /** How `text` is compared with `expected` when a response has no `score`. @default 'auto' */
  compare?: ScoreComparison;
  /** A module whose default export scores an answer (see `Scorer`). */
  scorer?: string;
}

/** `pricing.json` beside the fixture file, if there is one. */
export function readPricingBeside(file: string): Record<string, Pricing> {
  const path = join(dirname(file), 'pricing.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, Pricing>;
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`, path);
  }
}

/**
 * Read a fixture (streaming) into columns. Cost: `costUsd`, else a price (the options, `pricing.json`
 * beside the file, the built-in table) times the usage or the counted tokens. Quality: `score`, else
 * `text` compared with `expected`, else the scorer module.
 */
export async function loadDataset(file: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const pricingTable = { ...readPricingBeside(file), ...options.pricing };
  const scorer = options.scorer ? await loadScorer(options.scorer) : undefined;
  const comparison = options.compare ?? 'auto';
  const modelIndex = new Map<string, number>();
  const columns: { available: number[]; score: number[]; cost: number[]; confidence: number[]; text: string[] }[] = [];
  const ids: string[] = [];
  const messages: ChatMessage[][] = [];
  const pricing: Record<string, Pricing> = {};

  for await (const item of readFixtureItems(file)) {
    const row = ids.length;
    ids.push(item.id);
    messages.push(item.input.messages);
    for (const [model, response] of Object.entries(item.responses)) {
      let index = modelIndex.get(model);
      if (index === undefined) {
        index = columns.length;
        modelIndex.set(model, index);
        columns.push({ available: [], score: [], cost: [], confidence: [], text: [] });
      }
      const column = columns[index]!;
      let score = response.score;
      if (score === undefined && scorer) score = scorer(response.text, item.expected, item);
      if (score === undefined && item.expected !== undefined) score = scoreAgainstExpected(response.text, item.expected, comparison);
      if (score === undefined) {
        throw new ConfigError(`${file}:${item.line}: responses.${model} has no \`score\` and the item no \`expected\`, so its quality is unknown. Add either, or pass a scorer module.`, file, `responses.${model}.score`);
      }
      const price = pricingTable[model] ?? findPricing('replay', model);
      if (price) pricing[model] = price;
      column.available[row] = 1;
      column.score[row] = score;
      column.cost[row] = recordedCostUsd(item.input.messages, response, price);
      column.confidence[row] = response.confidence ?? Number.NaN;
      column.text[row] = response.text;
    }
  }
  if (ids.length === 0) throw new ConfigError(`${file}: holds no items`, file);
  if (modelIndex.size === 0) {
    throw new ConfigError(`${file}: no item has a recorded answer under \`responses\`, so there is nothing to evaluate or tune. Record each model's answers (\`cascade run --record\`, or \`--explore\`).`, file, 'responses');
  }
  const n = ids.length;
  const dense = (values: number[], fill: number) => Float64Array.from({ length: n }, (_, row) => values[row] ?? fill);
  return {
    file,
    models: [...modelIndex.keys()],
    ids,
    messages,
    available: columns.map((column) => Uint8Array.from({ length: n }, (_, row) => column.available[row] ?? 0)),
    score: columns.map((column) => dense(column.score, 0)),
    cost: columns.map((column) => dense(column.cost, 0)),
    confidence: columns.map((column) => dense(column.confidence, Number.NaN)),
    text: columns.map((column) => Array.from({ length: n }, (_, row) => column.text[row] ?? '')),
    pricing,
  };
}

async function loadScorer(path: string): Promise<Scorer> {
  const loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
  if (typeof loaded.default !== 'function') throw new ConfigError(`${path}: a scorer module must export a function (text, expected, item) => number as its default export`, path);
  return loaded.default as Scorer;
}

/** Model indices from the cheapest to the dearest (cost per item of always asking it). */
export function modelsByCost(dataset: Dataset): number[] {
  const costs = dataset.models.map((_, index) => singleModelFigures(dataset, index).costPerItem);
  return dataset.models.map((_, index) => index).sort((a, b) => costs[a]! - costs[b]!);
}

/** Mean quality and cost of always asking one model (an unanswered item scores 0 and costs 0). */
export function singleModelFigures(dataset: Dataset, model: number): { accuracy: number; costPerItem: number } {
  let score = 0;
  let cost = 0;
  const n = dataset.ids.length;
  for (let row = 0; row < n; row++) {
    score += dataset.score[model]![row]!;
    cost += dataset.cost[model]![row]!;
  }
  return { accuracy: score / n, costPerItem: cost / n };
}
