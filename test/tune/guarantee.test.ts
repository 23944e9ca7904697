import { describe, expect, it } from 'vitest';
import { clopperPearsonLower, clopperPearsonUpper } from '../../src/tune/guarantee.js';

function binomial(n: number, k: number): number {
  let out = 1;
  for (let i = 1; i <= k; i++) out = (out * (n - k + i)) / i;
  return out;
}

describe('Clopper-Pearson upper bound', () => {
  it('matches known values', () => {
    // 0 of n: 1 - delta^(1/n).
    expect(clopperPearsonUpper(0, 100, 0.05)).toBeCloseTo(1 - 0.05 ** (1 / 100), 6);
    // 3 of 150: the rate at which seeing 3 or fewer has probability 5%.
    const p = clopperPearsonUpper(3, 150, 0.05);
    let tail = 0;
    for (let k = 0; k <= 3; k++) tail += binomial(150, k) * p ** k * (1 - p) ** (150 - k);
    expect(tail).toBeCloseTo(0.05, 6);
    expect(p).toBeGreaterThan(0.05);
    expect(p).toBeLessThan(0.052);
    expect(clopperPearsonUpper(5, 5, 0.05)).toBe(1);
  });

  it('stays a bound at large n, where the plain binomial terms underflow', () => {
    // Reference values from scipy.stats.beta.ppf: lower = ppf(delta, k, n - k + 1), upper = ppf(1 - delta, k + 1, n - k).
    expect(clopperPearsonLower(30, 765, 0.05)).toBeCloseTo(0.02837, 4);
    expect(clopperPearsonLower(100, 1000, 0.05)).toBeCloseTo(0.08478, 4);
    expect(clopperPearsonUpper(100, 1000, 0.05)).toBeCloseTo(0.11699, 4);
    expect(clopperPearsonLower(0, 500, 0.05)).toBe(0);
  });
});
