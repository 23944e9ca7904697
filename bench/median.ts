/** The middle value (the upper one of an even count), without reordering `values`. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Each field's median over records of the same numeric fields (a measured run's figures, pair by pair). */
export function medianOfEach<Figures extends Record<string, number>>(records: readonly Figures[]): Figures {
  const out: Record<string, number> = {};
  for (const key of Object.keys(records[0]!)) out[key] = median(records.map((record) => record[key]!));
  return out as Figures;
}
