import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { chooseThreshold, guardCosts, type LabelledPair, scorePairs } from '../cache/tune-threshold.js';
import { createEmbedder } from '../config/create-embedder.js';
import { parseCascadeConfig, readCascadeYaml } from '../config/load-cascade.js';
import { ConfigError } from '../errors/index.js';
import type { CliIo } from './io.js';
import { numberOption } from './number-option.js';

export interface CacheTuneOptions {
  pairs: string;
  precision?: string;
  delta?: string;
  write?: boolean;
}

/** Labelled pairs from a CSV with a header `a,b,label` (label 1: may share an answer, 0: may not). */
async function readPairs(file: string): Promise<LabelledPair[]> {
  let rows: Record<string, string>[];
  try {
    rows = parse(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (error) {
    throw new ConfigError(`--pairs: cannot read ${file}: ${(error as Error).message}`, { file, field: '--pairs' });
  }
  return rows.map((row, index) => {
    if (typeof row['a'] !== 'string' || typeof row['b'] !== 'string' || !['0', '1'].includes(row['label'] ?? '')) {
      throw new ConfigError(`${file} row ${index + 2}: expected columns a, b and label (0 or 1)`, {
        file,
        field: 'label',
      });
    }
    return { a: row['a'], b: row['b'], same: row['label'] === '1' };
  });
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

/**
 * `cascade cache tune <cascade.yaml> --pairs <labelled.csv>`: the semantic threshold that serves the
 * most true pairs while precision holds at `--precision` with probability 1 - `--delta`, measured with
 * the cascade's own embedder and guards; `--write` puts it into the file's `cache.semantic.threshold`.
 */
export async function cacheTuneCommand(file: string, options: CacheTuneOptions, io: CliIo): Promise<number> {
  const precision = numberOption('precision', options.precision, { min: 0, max: 1 }) ?? 0.99;
  const delta = numberOption('delta', options.delta, { min: 0, max: 1 }) ?? 0.05;
  const config = await parseCascadeConfig(await readCascadeYaml(file), file);
  const semantic = config.cache?.semantic;
  if (!semantic) {
    throw new ConfigError(
      `${file}: cache.semantic: this cascade has no semantic cache to tune; add \`cache: { namespace: ..., semantic: { embedder: local, threshold: 0.9 } }\``,
      { file, field: 'cache.semantic' },
    );
  }
  const pairs = await readPairs(options.pairs);
  const embedder = createEmbedder(semantic.embedder, { env: io.env });
  const scored = await scorePairs(pairs, embedder);
  const choice = chooseThreshold(scored, precision, delta);
  io.stdout(
    `${options.pairs}: ${pairs.length} pairs, ${choice.positives} that may share an answer; embedder ${embedder.name}, every guard\n`,
  );
  const costs = guardCosts(scored);
  if (costs.length > 0)
    io.stdout(
      `pairs only one guard refuses (that may / may not share an answer): ${costs.map((cost) => `${cost.guard} ${cost.sameRefused} / ${cost.differentRefused}`).join(', ')}\n`,
    );
  if (choice.threshold === undefined) {
    io.stdout(
      `no threshold holds precision >= ${percent(precision)} with probability ${1 - delta}: keep the cache exact-only, or label more pairs\n`,
    );
    return 1;
  }
  io.stdout(
    `threshold ${choice.threshold.toFixed(4)}: serves ${choice.served} pairs, ${choice.correct} rightly; precision ${percent(choice.precision)} (${percent(1 - 2 * delta)} interval ${percent(choice.precisionLower)} to ${percent(choice.precisionUpper)}), recall ${percent(choice.recall)}; ${choice.tested} thresholds tested from strict to loose\n`,
  );
  if (options.write) {
    const { parseDocument } = await import('yaml');
    const document = parseDocument(await readFile(file, 'utf8'));
    document.setIn(['cache', 'semantic', 'threshold'], Number(choice.threshold.toFixed(4)));
    await writeFile(file, document.toString());
    io.stdout(`wrote cache.semantic.threshold: ${choice.threshold.toFixed(4)} into ${file}\n`);
  }
  return 0;
}
