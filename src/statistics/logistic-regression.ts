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
  // Standardised features with the bias column, column by column: the Newton loop below is the whole
  // cost of tuning's fits, and its sums run down the columns in order, each adding its rows' terms from
  // the first row to the last. Four of the Hessian's products share a pass down the weighted column.
  const size = d + 1;
  const x = new Float64Array(size * n);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    for (let j = 0; j < d; j++) x[j * n + i] = (row[j]! - mean[j]!) / std[j]!;
    x[d * n + i] = 1;
  }
  const weights =
    start && start.mean.length === d ? startingWeights(start, mean, std) : new Array<number>(size).fill(0);
  const gradient = new Float64Array(size);
  const hessian = new Float64Array(size * size);
  const z = new Float64Array(n);
  const residual = new Float64Array(n);
  const curvature = new Float64Array(n);
  const weighted = new Float64Array(n);
  for (let iteration = 0; iteration < 25; iteration++) {
    // Each row's z summed feature by feature, four columns to a pass (the same additions, in order).
    z.fill(0);
    let column = 0;
    for (; column + 3 < size; column += 4) {
      const first = column * n;
      const weight0 = weights[column]!;
      const weight1 = weights[column + 1]!;
      const weight2 = weights[column + 2]!;
      const weight3 = weights[column + 3]!;
      for (let i = 0; i < n; i++)
        z[i] =
          z[i]! +
          weight0 * x[first + i]! +
          weight1 * x[first + n + i]! +
          weight2 * x[first + 2 * n + i]! +
          weight3 * x[first + 3 * n + i]!;
    }
    for (; column < size; column++) {
      const weight = weights[column]!;
      for (let i = 0, at = column * n; i < n; i++, at++) z[i]! += weight * x[at]!;
    }
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-z[i]!));
      residual[i] = p - labels[i]!;
      curvature[i] = Math.max(p * (1 - p), 1e-9);
    }
    // The gradient, and the Hessian's lower triangle.
    for (let j = 0; j < size; j++) {
      let sum = 0;
      for (let i = 0, at = j * n; i < n; i++, at++) {
        const feature = x[at]!;
        sum += residual[i]! * feature;
        weighted[i] = curvature[i]! * feature;
      }
      gradient[j] = sum;
      let k = 0;
      // Four of the row's products in one pass down the weighted column, which is then read once for four.
      for (; k + 3 <= j; k += 4) {
        const first = k * n;
        let product0 = 0;
        let product1 = 0;
        let product2 = 0;
        let product3 = 0;
        for (let i = 0; i < n; i++) {
          const value = weighted[i]!;
          product0 += value * x[first + i]!;
          product1 += value * x[first + n + i]!;
          product2 += value * x[first + 2 * n + i]!;
          product3 += value * x[first + 3 * n + i]!;
        }
        hessian[j * size + k] = product0;
        hessian[j * size + k + 1] = product1;
        hessian[j * size + k + 2] = product2;
        hessian[j * size + k + 3] = product3;
      }
      for (; k <= j; k++) {
        let product = 0;
        for (let i = 0, at = k * n; i < n; i++, at++) product += weighted[i]! * x[at]!;
        hessian[j * size + k] = product;
      }
    }
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
