/** Deterministic pseudo-random numbers (Park-Miller), so tuning gives the same cascade every run. */
export function seededRandom(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/**
 * Area under the ROC curve of `signal` for telling items with `label` >= 0.5 apart; ties count half (a
 * NaN signal counts as -Infinity). Computed as the Mann-Whitney count: the share of (positive, negative)
 * pairs whose positive has the higher signal. The two groups' signals are sorted as typed arrays (a
 * numeric sort without a comparator; tune computes this for every pair of models and gate kind) and
 * merged, counting the negatives below each positive and half of those equal to it. Every count is a
 * whole number or a half, so this equals the rank-sum form (R+ - P(P+1)/2) / (P N) exactly.
 */
export function areaUnderCurve(
  signal: ArrayLike<number>,
  label: ArrayLike<number>,
  include: (row: number) => boolean,
): number {
  const positive = new Float64Array(signal.length);
  const negative = new Float64Array(signal.length);
  let positives = 0;
  let negatives = 0;
  for (let row = 0; row < signal.length; row++) {
    if (!include(row)) continue;
    const value = Number.isNaN(signal[row]!) ? -Infinity : signal[row]!;
    if (label[row]! >= 0.5) positive[positives++] = value;
    else negative[negatives++] = value;
  }
  if (positives === 0 || negatives === 0) return 0.5;
  const sortedPositive = positive.subarray(0, positives).sort();
  const sortedNegative = negative.subarray(0, negatives).sort();
  let wins = 0;
  let below = 0;
  let equal = 0;
  for (let index = 0; index < positives; index++) {
    const value = sortedPositive[index]!;
    if (index > 0 && value === sortedPositive[index - 1]) {
      wins += below + equal / 2;
      continue;
    }
    below += equal;
    equal = 0;
    while (below < negatives && sortedNegative[below]! < value) below++;
    while (below + equal < negatives && sortedNegative[below + equal] === value) equal++;
    wins += below + equal / 2;
  }
  return wins / (positives * negatives);
}

/** The standard normal quantile (Acklam's approximation), for one-sided bounds. */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

export interface Interval {
  low: number;
  high: number;
}

/** Percentile bootstrap interval of the mean of each of several per-item series, resampling items together. */
export function bootstrapMeans(
  series: readonly ArrayLike<number>[],
  resamples: number,
  level: number,
  seed = 7,
): Interval[] {
  const n = series[0]!.length;
  const random = seededRandom(seed);
  const means = series.map(() => new Float64Array(resamples));
  for (let b = 0; b < resamples; b++) {
    const sums = new Float64Array(series.length);
    for (let draw = 0; draw < n; draw++) {
      const row = Math.floor(random() * n);
      for (let s = 0; s < series.length; s++) sums[s]! += series[s]![row]!;
    }
    for (let s = 0; s < series.length; s++) means[s]![b] = sums[s]! / n;
  }
  return means.map((values) => {
    values.sort();
    const tail = (1 - level) / 2;
    return { low: values[Math.floor(tail * (resamples - 1))]!, high: values[Math.ceil((1 - tail) * (resamples - 1))]! };
  });
}

/** Wilson score interval for a proportion: sound at small counts and at 0 or 1. */
export function wilsonInterval(successes: number, trials: number, z = 1.96): Interval {
  if (trials === 0) return { low: 0, high: 1 };
  const share = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (share + (z * z) / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((share * (1 - share)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The interval of a mean accuracy: Wilson's when every score is 0 or 1 (the bootstrap's collapses to a
 * point when all are right, or all wrong: "100% (95% CI 100%-100%)" on 30 items), else `bootstrap`.
 */
export function accuracyInterval(scores: ArrayLike<number>, bootstrap: Interval): Interval {
  let right = 0;
  for (let row = 0; row < scores.length; row++) {
    const score = scores[row]!;
    if (score !== 0 && score !== 1) return bootstrap;
    right += score;
  }
  return wilsonInterval(right, scores.length);
}

/** 0..n-1 in a seeded random order (Fisher-Yates), for splits and folds that are the same every run. */
export function shuffledRows(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const rows = [...Array(n).keys()];
  for (let index = n - 1; index > 0; index--) {
    const swap = Math.floor(random() * (index + 1));
    [rows[index], rows[swap]] = [rows[swap]!, rows[index]!];
  }
  return rows;
}
