import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseThreshold, guardCosts, measureThreshold, type ScoredPair } from '../../src/cache/tune-threshold.js';
import { runCli } from '../../src/cli/program.js';
import { seededRandom } from '../../src/statistics/statistics.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';

/** Pairs whose chance of being the same rises with similarity: right 98% above 0.9, 60% below. */
function synthetic(count: number, seed: number): ScoredPair[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const similarity = random();
    const same = random() < (similarity >= 0.9 ? 0.98 : 0.6);
    return { similarity, guardsPass: random() < 0.9, same };
  });
}

describe('the semantic threshold chosen on labelled pairs', () => {
  it('holds the precision it promises on pairs it never saw, in nearly every draw', () => {
    let broken = 0;
    const draws = 100;
    for (let draw = 0; draw < draws; draw++) {
      const choice = chooseThreshold(synthetic(3000, draw * 2 + 1), 0.95, 0.05);
      if (choice.threshold === undefined) continue;
      // The true precision at the threshold, from a large fresh sample.
      const truth = measureThreshold(synthetic(20_000, draw * 2 + 2), choice.threshold);
      if (truth.precision < 0.95) broken++;
    }
    // The guarantee: at most delta (5%) of draws may break it.
    expect(broken / draws).toBeLessThanOrEqual(0.05);
  });

  it('serves nothing when no threshold can hold the precision, and never serves a pair a guard refused', () => {
    const noisy = Array.from({ length: 500 }, (_, index) => ({
      similarity: index / 500,
      guardsPass: true,
      same: index % 2 === 0,
    }));
    expect(chooseThreshold(noisy, 0.9).threshold).toBeUndefined();
    const refused = [{ similarity: 1, guardsPass: false, same: false }, ...synthetic(3000, 7)];
    expect(measureThreshold(refused, 0).served).toBeLessThan(refused.length);
  });

  it('counts, for each guard, the true and false pairs it alone refuses (what dropping it could let through)', () => {
    const pair = (same: boolean, refusedBy: string[]): ScoredPair => ({
      similarity: 0.95,
      guardsPass: refusedBy.length === 0,
      same,
      refusedBy,
    });
    const costs = guardCosts([
      pair(true, ['content']),
      pair(true, ['content']),
      pair(false, ['content']),
      pair(false, ['numbers']),
      // Refused by two guards: dropping either alone would not serve it.
      pair(true, ['content', 'numbers']),
      pair(true, []),
    ]);
    expect(costs).toEqual([
      { guard: 'content', sameRefused: 2, differentRefused: 1 },
      { guard: 'numbers', sameRefused: 0, differentRefused: 1 },
    ]);
  });

  it('cascade cache tune writes the threshold into the cascade file, keeping its comments', async () => {
    const folder = tempDir();
    const file = join(folder, 'c.yaml');
    writeFileSync(
      file,
      '# my cache\nname: c\ncache:\n  namespace: n\n  semantic:\n    embedder: local\n    threshold: 0.95 # a guess\ntiers:\n  - { name: t, provider: ollama, model: m }\n',
    );
    const io = captureIo();
    const code = await runCli(
      ['cache', 'tune', file, '--pairs', 'fixtures/cache/paraphrase-pairs.csv', '--precision', '0.8', '--write'],
      io,
    );
    expect(code).toBe(0);
    expect(io.out()).toMatch(/threshold 0\.\d{4}: serves \d+ pairs, \d+ rightly; precision [\d.]+% \(90\.0% interval/);
    // The project's pairs: two must-not-hit pairs that only the question guard refuses, and no pair that may hit.
    expect(io.out()).toMatch(/pairs only one guard refuses \(that may \/ may not share an answer\): .*question 0 \/ 2/);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('# my cache');
    expect(written).toMatch(/threshold: 0\.\d{4}/);
    expect(written).not.toContain('threshold: 0.95');
  });
});
