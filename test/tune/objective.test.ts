import { describe, expect, it } from 'vitest';
import { defaultObjective, objectiveValue, type Totals } from '../../src/tune/objective.js';

/** Sums over n items for a cascade that wins `wins` and loses `losses` items against the reference. */
function totals(n: number, { wins = 0, losses = 0, exposed = 0, cost = 1 }): Totals {
  const diff = wins - losses;
  return { score: n * 0.9 + diff, score2: n * 0.9 + diff, cost, diff, diff2: wins + losses, exposed, expectedDiff: 0 };
}

describe('match-best objective', () => {
  const n = 200;
  const matchBest = (z: number) => ({ kind: 'match-best' as const, z, estimate: 'paired-bound' as const });

  it('always accepts the reference model alone, at any margin', () => {
    expect(objectiveValue(matchBest(3), totals(n, {}), n, 1)).toBe(1 / n);
  });

  it('does not read zero disagreements among answers from other models as certainty', () => {
    // 150 items answered by cheaper models, none of them different from the reference in training.
    const unseenLoss = totals(n, { exposed: 150 });
    expect(objectiveValue(matchBest(0), unseenLoss, n, 1)).toBe(1 / n);
    expect(objectiveValue(matchBest(1), unseenLoss, n, 1)).toBeUndefined();
  });

  it('accepts a cascade whose wins clear the margin, and refuses it at a larger margin', () => {
    // 3 wins, 0 losses: +1.5 points, with a standard error near 1 point once the pseudo-disagreement is in.
    const winning = totals(n, { wins: 3, exposed: 150 });
    expect(objectiveValue(matchBest(1), winning, n, 1)).toBe(1 / n);
    expect(objectiveValue(matchBest(2), winning, n, 1)).toBeUndefined();
  });

  it('refuses a cascade that loses more than it wins, even without a margin', () => {
    expect(objectiveValue(matchBest(0), totals(n, { wins: 2, losses: 3, exposed: 150 }), n, 1)).toBeUndefined();
  });
});

describe('blend objective (the default)', () => {
  const n = 200;
  const blend = (tolerance: number) => ({ kind: 'match-best' as const, z: 0, estimate: 'blend' as const, tolerance });
  const withFit = (diff: number, expectedDiff: number, exposed = 100): Totals => ({
    score: 180 + diff,
    score2: 180 + diff,
    cost: 1,
    diff,
    diff2: Math.abs(diff),
    exposed,
    expectedDiff,
  });

  it('judges by the mean of the observed and the fitted gain', () => {
    // Two wins observed, but the fits expect a loss of three items: the blend is -0.5 of an item.
    expect(objectiveValue(blend(0), withFit(2, -3), n, 1)).toBeUndefined();
    expect(objectiveValue(blend(0.005), withFit(2, -3), n, 1)).toBe(1 / n);
    // A lucky zero in training does not pass when the fits expect a loss.
    expect(objectiveValue(blend(0), withFit(0, -0.5), n, 1)).toBeUndefined();
    expect(objectiveValue(blend(0), withFit(1, -0.5), n, 1)).toBe(1 / n);
  });

  it('always accepts the reference model alone', () => {
    expect(objectiveValue(blend(0), withFit(-5, -5, 0), n, 1)).toBe(1 / n);
    expect(objectiveValue(defaultObjective, withFit(-5, -5, 0), n, 1)).toBe(1 / n);
  });

  it('the default asks the blend to clear a margin that grows with the disagreements', () => {
    // A gain of half an item clears the margin when the difference rests on few disagreements...
    const few: Totals = { ...withFit(1, 0, 100), diff2: 3 };
    expect(objectiveValue(defaultObjective, few, n, 1)).toBe(1 / n);
    // ...but not when the same net gain is the balance of many wins and losses (a noisy estimate).
    const many: Totals = { ...withFit(1, 0, 100), diff2: 61 };
    expect(objectiveValue(defaultObjective, many, n, 1)).toBeUndefined();
    expect(objectiveValue(blend(0), many, n, 1)).toBe(1 / n);
  });
});
