import { describe, expect, it } from 'vitest';
import { objectiveValue, type Totals } from '../../src/tune/objective.js';

/** Sums over n items for a cascade that wins `wins` and loses `losses` items against the reference. */
function totals(n: number, { wins = 0, losses = 0, exposed = 0, cost = 1 }): Totals {
  const diff = wins - losses;
  return { score: n * 0.9 + diff, score2: n * 0.9 + diff, cost, diff, diff2: wins + losses, exposed };
}

describe('match-best objective', () => {
  const n = 200;
  const matchBest = (z: number) => ({ kind: 'match-best' as const, z });

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
