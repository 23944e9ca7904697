import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/index.js';
import { recordedCostUsd } from '../fixtures/recorded-cost.js';
import { readFixtureItems } from '../fixtures/read-fixtures.js';
import { findPricing, type Pricing } from '../pricing/price-table.js';
import type { ChatMessage } from '../spec/request.js';
import { parseStatedConfidence } from '../../gates/stated-confidence.js';
import { answersAgree, type AnswerComparison } from '../../gates/normalize-answer.js';
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
  /**
   * Where quality came from: recorded scores or expected answers, or (with no labels, or on request)
   * agreement with a reference model's answer.
   */
  quality?: { agreementWith: string; why: 'requested' | 'unlabelled' | 'explored' };
}

export interface LoadDatasetOptions {
  /** Prices by model, over `pricing.json` beside the fixture and the built-in table. */
  pricing?: Record<string, Pricing>;
  /** How `text` is compared with `expected` when a response has no `score`. @default 'auto' */
  compare?: ScoreComparison;
  /** A module whose default export scores an answer (see `Scorer`). */
  scorer?: string;
  /**
   * Score every answer by its agreement with this model's answer on the same item, instead of labels.
   * A fixture with no labels at all is scored this way anyway, against the dearest model unless this is given.
   */
  reference?: string;
}

/** Where quality came from when it is agreement with a model, in words; undefined for labels. */
export function describeQuality(dataset: Dataset): string | undefined {
  const quality = dataset.quality;
  if (!quality) return undefined;
  const why = {
    requested: 'as --reference asks',
    unlabelled: 'the fixture has no `score` or `expected`',
    explored: "an --explore file: its expected answers are that model's",
  }[quality.why];
  return `quality: agreement with ${quality.agreementWith}'s answer (${why})`;
}

/** `pricing.json` beside the fixture file, if there is one. */
export function readPricingBeside(file: string): Record<string, Pricing> {
  const path = join(dirname(file), 'pricing.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, Pricing>;
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`, { file: path });
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
  const unlabelled: { row: number; model: number; line: number }[] = [];
  let labelled = 0;
  // The model whose answers every item's `expected` was copied from (an --explore file), if one is.
  let expectedFrom: string | undefined | null;

  for await (const item of readFixtureItems(file)) {
    const row = ids.length;
    ids.push(item.id);
    messages.push(item.input.messages);
    const from = item.meta?.['expectedFrom'];
    if (expectedFrom !== null) expectedFrom = typeof from === 'string' && (expectedFrom ?? from) === from ? from : null;
    for (const [model, response] of Object.entries(item.responses)) {
      let index = modelIndex.get(model);
      if (index === undefined) {
        index = columns.length;
        modelIndex.set(model, index);
        columns.push({ available: [], score: [], cost: [], confidence: [], text: [] });
      }
      const column = columns[index]!;
      // Scored as a live run returns it: a stated "Confidence: 0.9" line is the gate's to strip, and the
      // confidence it states is the one the gate reads when none was recorded.
      const stated = parseStatedConfidence(response.text);
      const answer = stated?.answer ?? response.text;
      let score = options.reference === undefined ? response.score : undefined;
      if (score === undefined && options.reference === undefined && scorer) score = scorer(answer, item.expected, item);
      if (score === undefined && options.reference === undefined && item.expected !== undefined)
        score = scoreAgainstExpected(answer, item.expected, comparison);
      if (score === undefined) unlabelled.push({ row, model: index, line: item.line });
      else labelled++;
      const price = pricingTable[model] ?? findPricing('replay', model);
      if (price) pricing[model] = price;
      column.available[row] = 1;
      column.score[row] = score ?? 0;
      column.cost[row] = recordedCostUsd(item.input.messages, response, () => price);
      column.confidence[row] = response.confidence ?? stated?.confidence ?? Number.NaN;
      column.text[row] = answer;
    }
  }
  if (ids.length === 0) throw new ConfigError(`${file}: holds no items`, { file });
  if (modelIndex.size === 0) {
    throw new ConfigError(
      `${file}: no item has a recorded answer under \`responses\`, so there is nothing to evaluate or tune. Record each model's answers (\`cascade run --record\`, or \`--explore\`).`,
      { file, field: 'responses' },
    );
  }
  const n = ids.length;
  if (unlabelled.length > 0 && labelled > 0) {
    const { line, model } = unlabelled[0]!;
    const name = [...modelIndex.keys()][model]!;
    throw new ConfigError(
      `${file}:${line}: responses.${name} has no \`score\` and the item no \`expected\`, while other items are labelled, so its quality is unknown. Label it, pass a scorer module, or score every answer by agreement with one model (--reference <model>).`,
      { file, field: `responses.${name}.score` },
    );
  }
  const quality =
    unlabelled.length > 0
      ? scoreByAgreement(
          file,
          columns,
          [...modelIndex.keys()],
          unlabelled,
          options.reference,
          comparison === 'exact' ? 'text' : comparison,
        )
      : exploredFrom(expectedFrom, modelIndex, columns, n, scorer !== undefined);
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
    ...(quality && { quality }),
  };
}

/**
 * The model an `--explore` file's labels are the answers of: every item names it in `meta.expectedFrom`
 * and its answer scores 1 on every item. A file whose `expected` answers were corrected by hand, or
 * that a scorer module scores, is labelled data, not agreement.
 */
function exploredFrom(
  expectedFrom: string | undefined | null,
  modelIndex: Map<string, number>,
  columns: { available: number[]; score: number[] }[],
  n: number,
  scored: boolean,
): { agreementWith: string; why: 'explored' } | undefined {
  if (typeof expectedFrom !== 'string' || scored) return undefined;
  const index = modelIndex.get(expectedFrom);
  if (index === undefined) return undefined;
  const column = columns[index]!;
  for (let row = 0; row < n; row++) if (column.available[row] !== 1 || column.score[row] !== 1) return undefined;
  return { agreementWith: expectedFrom, why: 'explored' };
}

/**
 * Score answers that have no label by agreement with a reference model's answer on the same item: the
 * one asked for, else the dearest model (the top tier an `--explore` or `--record` run ends with).
 */
function scoreByAgreement(
  file: string,
  columns: { available: number[]; score: number[]; cost: number[]; text: string[] }[],
  models: string[],
  unlabelled: { row: number; model: number; line: number }[],
  requested: string | undefined,
  comparison: AnswerComparison,
): { agreementWith: string; why: 'requested' | 'unlabelled' } {
  if (models.length < 2 && requested === undefined) {
    const { line, model } = unlabelled[0]!;
    throw new ConfigError(
      `${file}:${line}: responses.${models[model]} has no \`score\` and the item no \`expected\`, and there is no other model to score it against, so its quality is unknown. Add either, or pass a scorer module.`,
      { file, field: `responses.${models[model]}.score` },
    );
  }
  let reference = requested === undefined ? -1 : models.indexOf(requested);
  if (requested !== undefined && reference < 0) {
    throw new ConfigError(
      `${file}: --reference ${requested} names no model of this fixture. Its models are: ${models.join(', ')}.`,
      { file, field: 'responses' },
    );
  }
  if (reference < 0) {
    const meanCost = columns.map(
      (column) =>
        column.cost.reduce((sum, value) => sum + (value ?? 0), 0) /
        Math.max(1, column.cost.filter((value) => value !== undefined).length),
    );
    reference = meanCost.reduce((kept, cost, index) => (cost > meanCost[kept]! ? index : kept), 0);
  }
  const column = columns[reference]!;
  for (const { row, model, line } of unlabelled) {
    if (!column.available[row]) {
      throw new ConfigError(
        `${file}:${line}: this item has no \`score\` or \`expected\`, and the reference model ${models[reference]} has no answer to score it against. Add a label, record ${models[reference]} on it, or pass --reference <model>.`,
        { file, field: `responses.${models[reference]}` },
      );
    }
    columns[model]!.score[row] = answersAgree(columns[model]!.text[row]!, column.text[row]!, comparison) ? 1 : 0;
  }
  return { agreementWith: models[reference]!, why: requested === undefined ? 'unlabelled' : 'requested' };
}

async function loadScorer(path: string): Promise<Scorer> {
  const loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
  if (typeof loaded.default !== 'function')
    throw new ConfigError(
      `${path}: a scorer module must export a function (text, expected, item) => number as its default export`,
      { file: path },
    );
  return loaded.default as Scorer;
}
