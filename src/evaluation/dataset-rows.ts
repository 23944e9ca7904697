import type { Dataset } from './dataset.js';

/** The rows of a dataset, in the given order, as a dataset of their own (for splits and resampling). */
export function pickRows(dataset: Dataset, rows: readonly number[], file = dataset.file): Dataset {
  return {
    file,
    models: dataset.models,
    ids: rows.map((row) => dataset.ids[row]!),
    messages: rows.map((row) => dataset.messages[row]!),
    available: dataset.available.map((column) => Uint8Array.from(rows, (row) => column[row]!)),
    score: dataset.score.map((column) => Float64Array.from(rows, (row) => column[row]!)),
    cost: dataset.cost.map((column) => Float64Array.from(rows, (row) => column[row]!)),
    confidence: dataset.confidence.map((column) => Float64Array.from(rows, (row) => column[row]!)),
    text: dataset.text.map((column) => rows.map((row) => column[row]!)),
    pricing: dataset.pricing,
  };
}

/**
 * Two datasets as one, rows of `first` then `second`, columns in `first`'s model order (a model only
 * `second` has is appended; where a dataset lacks a model its rows are unanswered).
 */
export function joinDatasets(first: Dataset, second: Dataset, file = first.file): Dataset {
  const models = [...first.models, ...second.models.filter((model) => !first.models.includes(model))];
  const n1 = first.ids.length;
  const n = n1 + second.ids.length;
  const column = <T extends Float64Array | Uint8Array>(
    make: (length: number) => T,
    fill: number,
    pick: (dataset: Dataset) => T[],
  ) =>
    models.map((model) => {
      const out = make(n).fill(fill) as T;
      const a = first.models.indexOf(model);
      const b = second.models.indexOf(model);
      if (a >= 0) out.set(pick(first)[a]!, 0);
      if (b >= 0) out.set(pick(second)[b]!, n1);
      return out;
    });
  return {
    file,
    models,
    ids: [...first.ids, ...second.ids],
    messages: [...first.messages, ...second.messages],
    available: column(
      (length) => new Uint8Array(length),
      0,
      (dataset) => dataset.available,
    ),
    score: column(
      (length) => new Float64Array(length),
      0,
      (dataset) => dataset.score,
    ),
    cost: column(
      (length) => new Float64Array(length),
      0,
      (dataset) => dataset.cost,
    ),
    confidence: column(
      (length) => new Float64Array(length),
      Number.NaN,
      (dataset) => dataset.confidence,
    ),
    text: models.map((model) => {
      const a = first.models.indexOf(model);
      const b = second.models.indexOf(model);
      return [
        ...(a >= 0 ? first.text[a]! : new Array<string>(n1).fill('')),
        ...(b >= 0 ? second.text[b]! : new Array<string>(second.ids.length).fill('')),
      ];
    }),
    pricing: { ...second.pricing, ...first.pricing },
  };
}
