import { describe, expect, it } from 'vitest';
import { twelveDigits } from '../../src/common/twelve-digits.js';

const throughString = (value: number) => (value === 0 ? 0 : Number(value.toPrecision(12)));

describe('twelve significant digits', () => {
  it('gives what toPrecision(12) gives, for sums of prices, ties, and values next to powers of ten', () => {
    const values: number[] = [0.00044720000000000003, 0.1 + 0.2, 0.00001 * 3, 504.2943397305, 1e-30, 123456789e20];
    // A seeded generator: the same values on every run.
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      return seed / 2 ** 32;
    };
    const prices = [0.1, 0.15, 0.4, 2.5, 3, 15, 0.075, 1.1];
    for (let index = 0; index < 200_000; index++) {
      let sum = 0;
      for (let term = 0; term <= index % 4; term++)
        sum += (Math.floor(random() * 5000) * prices[(index + term) % prices.length]!) / 1e6;
      values.push(sum, -sum);
      const power = 10 ** (Math.floor(random() * 40) - 20);
      values.push(power, power * (1 + 1e-15), power * (1 - 1e-15), random() * power);
      // A thirteenth digit of 5: a tie at twelve.
      values.push(Number(random().toPrecision(12) + '5'));
    }
    const differing = values.filter((value) => !Object.is(twelveDigits(value), throughString(value)));
    expect(differing).toEqual([]);
    expect(twelveDigits(0)).toBe(0);
    expect(twelveDigits(0.00044720000000000003)).toBe(0.0004472);
  });
});
