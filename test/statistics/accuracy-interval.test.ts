import { describe, expect, it } from 'vitest';
import { accuracyInterval, bootstrapMeans, wilsonInterval } from '../../src/statistics/statistics.js';

describe('accuracy interval', () => {
  it("is Wilson's for right-or-wrong scores, never a point at 0% or 100%, and the bootstrap's for partial scores", () => {
    const allRight = new Float64Array(30).fill(1);
    const [bootstrap] = bootstrapMeans([allRight], 1000, 0.95);
    expect(bootstrap).toEqual({ low: 1, high: 1 });
    const interval = accuracyInterval(allRight, bootstrap!);
    expect(interval.high).toBe(1);
    expect(interval.low).toBeCloseTo(0.8865, 3);
    expect(accuracyInterval(new Float64Array(30), bootstrap!).high).toBeCloseTo(0.1135, 3);
    // 8 of 10: the textbook Wilson interval, 49.0% to 94.3%.
    const eight = wilsonInterval(8, 10);
    expect(eight.low).toBeCloseTo(0.49, 2);
    expect(eight.high).toBeCloseTo(0.943, 3);
    const partial = Float64Array.from([1, 0.5, 1, 0]);
    const given = { low: 0.1, high: 0.9 };
    expect(accuracyInterval(partial, given)).toBe(given);
  });
});
