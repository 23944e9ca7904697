/** A fitted logistic model: features are standardised with `mean`/`std`, then weighted (bias last). */
export interface LogisticModel {
  mean: number[];
  std: number[];
  weights: number[];
}

export function predictProbability(model: LogisticModel, features: readonly number[]): number {
  let z = model.weights[features.length]!;
  for (let index = 0; index < features.length; index++) {
    z += model.weights[index]! * ((features[index]! - model.mean[index]!) / model.std[index]!);
  }
  return 1 / (1 + Math.exp(-z));
}

/**
 * L2-regularised logistic regression by Newton's method: a handful of iterations on a few features,
 * exact and deterministic. Labels may be fractional scores in [0,1].
 */
export function fitLogistic(
  rows: readonly (readonly number[])[],
  labels: ArrayLike<number>,
  l2 = 1,
  start?: LogisticModel,
): LogisticModel {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j]! += row[j]! / n;
  for (const row of rows) for (let j = 0; j < d; j++) std[j]! += (row[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
  // Standardised rows with the bias column, in one flat array: the Newton loop below is the whole cost
  // of tuning's fits, and reading it in order matters more than anything else in it.
  const size = d + 1;
  const x = new Float64Array(n * size);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    for (let j = 0; j < d; j++) x[i * size + j] = (row[j]! - mean[j]!) / std[j]!;
    x[i * size + d] = 1;
  }
  const pairs = (size * (size + 1)) / 2;
  const weights =
    start && start.mean.length === d ? startingWeights(start, mean, std) : new Array<number>(size).fill(0);
  const gradient = new Float64Array(size);
  const triangle = new Float64Array(pairs);
  const hessian = new Float64Array(size * size);
  for (let iteration = 0; iteration < 25; iteration++) {
    gradient.fill(0);
    triangle.fill(0);
    for (let i = 0, base = 0; i < n; i++, base += size) {
      let z = 0;
      for (let j = 0; j < size; j++) z += weights[j]! * x[base + j]!;
      const p = 1 / (1 + Math.exp(-z));
      const residual = p - labels[i]!;
      const curvature = Math.max(p * (1 - p), 1e-9);
      // The Hessian's lower triangle, row by row: feature products made here from the row just read
      // (precomputing them for every row took more time and memory, n x 36 doubles, than it saved).
      for (let j = 0, t = 0; j < size; j++) {
        const feature = x[base + j]!;
        gradient[j]! += residual * feature;
        const weighted = curvature * feature;
        for (let k = 0; k <= j; k++, t++) triangle[t]! += weighted * x[base + k]!;
      }
    }
    for (let j = 0, t = 0; j < size; j++) for (let k = 0; k <= j; k++, t++) hessian[j * size + k] = triangle[t]!;
    // The bias is not penalised.
    for (let j = 0; j < d; j++) {
      gradient[j]! += l2 * weights[j]!;
      hessian[j * size + j]! += l2;
    }
    hessian[d * size + d]! += 1e-6;
    const matrix = Array.from({ length: size }, (_, j) =>
      Array.from({ length: size }, (_, k) => (k <= j ? hessian[j * size + k]! : hessian[k * size + j]!)),
    );
    const step = solve(matrix, Array.from(gradient));
    let largest = 0;
    for (let j = 0; j < size; j++) {
      weights[j]! -= step[j]!;
      largest = Math.max(largest, Math.abs(step[j]!));
    }
    if (largest < 1e-8) break;
  }
  return { mean, std, weights };
}

/**
 * A fit of a similar sample (the same features of an overlapping set of rows) as the first Newton
 * step's weights: the same linear function, rewritten for this sample's standardisation. Newton's
 * method ends where it would from zero (the loss is convex), in fewer steps.
 */
function startingWeights(start: LogisticModel, mean: readonly number[], std: readonly number[]): number[] {
  const d = mean.length;
  const weights = new Array<number>(d + 1);
  let bias = start.weights[d]!;
  for (let j = 0; j < d; j++) {
    weights[j] = (start.weights[j]! * std[j]!) / start.std[j]!;
    bias += (start.weights[j]! * (mean[j]! - start.mean[j]!)) / start.std[j]!;
  }
  weights[d] = bias;
  return weights;
}

/** Gaussian elimination with partial pivoting for the small Newton systems. */
function solve(matrix: number[][], vector: number[]): number[] {
  const size = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++)
      if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    const divisor = a[column]![column]! || 1e-12;
    for (let row = column + 1; row < size; row++) {
      const factor = a[row]![column]! / divisor;
      for (let k = column; k <= size; k++) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  const out = new Array<number>(size).fill(0);
  for (let row = size - 1; row >= 0; row--) {
    let sum = a[row]![size]!;
    for (let k = row + 1; k < size; k++) sum -= a[row]![k]! * out[k]!;
    out[row] = sum / (a[row]![row]! || 1e-12);
  }
  return out;
}
