import { describe, expect, it } from 'vitest';
import { fitLogistic, predictProbability } from '../../src/statistics/logistic-regression.js';
import { seededRandom } from '../../src/statistics/statistics.js';

/** Rows of three features whose first two decide the label through a known logistic function. */
function sample(n: number, seed: number): { rows: number[][]; labels: Float64Array } {
  const random = seededRandom(seed);
  const rows = Array.from({ length: n }, () => [random() * 6 - 3, random() * 2, random() < 0.3 ? 1 : 0]);
  const labels = Float64Array.from(rows, ([a, b]) => (random() < 1 / (1 + Math.exp(-(1.5 * a! - b! + 0.4))) ? 1 : 0));
  return { rows, labels };
}

describe('fitLogistic', () => {
  it('recovers the direction of a known logistic relation', () => {
    const { rows, labels } = sample(4000, 5);
    const model = fitLogistic(rows, labels, 1);
    // Standardised weights: the first feature raises the odds, the second lowers them, the third is noise.
    expect(model.weights[0]!).toBeGreaterThan(1);
    expect(model.weights[1]!).toBeLessThan(-0.2);
    expect(Math.abs(model.weights[2]!)).toBeLessThan(0.15);
    expect(predictProbability(model, [2, 0, 0])).toBeGreaterThan(0.9);
    expect(predictProbability(model, [-2, 2, 0])).toBeLessThan(0.05);
  });

  it('started from the fit of an overlapping sample, ends where a fit from zero ends', () => {
    const { rows, labels } = sample(1500, 9);
    const whole = fitLogistic(rows, labels, 1);
    // Four fifths of the rows: another standardisation, the same optimum whichever the start.
    const part = rows.map((_, index) => index).filter((index) => index % 5 !== 2);
    const partRows = part.map((index) => rows[index]!);
    const partLabels = Float64Array.from(part, (index) => labels[index]!);
    const cold = fitLogistic(partRows, partLabels, 1);
    const warm = fitLogistic(partRows, partLabels, 1, whole);
    for (const [index, weight] of warm.weights.entries()) expect(weight).toBeCloseTo(cold.weights[index]!, 8);
    for (const row of rows.slice(0, 50))
      expect(predictProbability(warm, row)).toBeCloseTo(predictProbability(cold, row), 9);
    // A start with other features than the rows is ignored rather than misread.
    const other = fitLogistic(
      partRows.map((row) => row.slice(0, 2)),
      partLabels,
      1,
    );
    const ignored = fitLogistic(partRows, partLabels, 1, other);
    for (const [index, weight] of ignored.weights.entries()) expect(weight).toBeCloseTo(cold.weights[index]!, 8);
  });
});
