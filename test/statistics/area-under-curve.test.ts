import { describe, expect, it } from 'vitest';
import { areaUnderCurve, seededRandom } from '../../src/statistics/statistics.js';

/** The definition, pair by pair: the share of (right, wrong) pairs the signal orders rightly, ties half. */
function pairwiseArea(signal: ArrayLike<number>, label: ArrayLike<number>, include: (row: number) => boolean): number {
  const value = (row: number) => (Number.isNaN(signal[row]!) ? -Infinity : signal[row]!);
  let wins = 0;
  let pairs = 0;
  for (let right = 0; right < signal.length; right++) {
    if (!include(right) || label[right]! < 0.5) continue;
    for (let wrong = 0; wrong < signal.length; wrong++) {
      if (!include(wrong) || label[wrong]! >= 0.5) continue;
      pairs++;
      if (value(right) > value(wrong)) wins++;
      else if (value(right) === value(wrong)) wins += 0.5;
    }
  }
  return pairs === 0 ? 0.5 : wins / pairs;
}

describe('areaUnderCurve', () => {
  it('equals the pairwise count exactly, with ties, NaN signals, fractional labels and rows left out', () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + trial * 17;
      // Few distinct values, so that ties are common, within a group and across the two.
      const signal = Float64Array.from({ length: n }, () => {
        const draw = random();
        if (draw < 0.05) return Number.NaN;
        if (draw < 0.1) return -Infinity;
        return Math.floor(random() * (trial % 2 === 0 ? 6 : 1000)) / 10;
      });
      const label = Float64Array.from({ length: n }, () => (random() < 0.2 ? 0.5 : random() < 0.5 ? 1 : 0));
      const include = (row: number) => row % 7 !== 3;
      expect(areaUnderCurve(signal, label, include)).toBe(pairwiseArea(signal, label, include));
    }
  });

  it('is 1 for a signal that orders every pair rightly, 0 for one that orders every pair wrongly, 0.5 with one group', () => {
    const label = Float64Array.from([0, 0, 1, 1, 1]);
    const all = () => true;
    expect(areaUnderCurve(Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5]), label, all)).toBe(1);
    expect(areaUnderCurve(Float64Array.from([0.9, 0.8, 0.3, 0.2, 0.1]), label, all)).toBe(0);
    expect(areaUnderCurve(Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5]), label, all)).toBe(0.5);
    expect(areaUnderCurve(Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5]), label, (row) => row >= 2)).toBe(0.5);
  });
});
