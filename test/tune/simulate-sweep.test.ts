import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/evaluation/dataset.js';
import { computeExpectedGains } from '../../src/tune/expected-gain.js';
import { computeSignals } from '../../src/tune/signals.js';
import { ChainSimulator } from '../../src/tune/simulate-chain.js';
import { seededRandom } from '../../src/statistics/statistics.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';
import { writeSyntheticFixture } from '../helpers/synthetic-fixture.js';
import { modelsByCost } from '../../src/evaluation/single-model.js';

describe('ChainSimulator.sweep', () => {
  it('gives, for every candidate threshold of a tier, exactly the totals of evaluating it alone', async () => {
    const dataset = await loadDataset(writeSyntheticFixture(tempDir(), 'sweep', 400, 7));
    const order = modelsByCost(dataset);
    const signals = computeSignals(dataset, order, 'auto', { learned: false });
    const expected = computeExpectedGains(dataset, order, order[2]!, 'auto');
    const reference = { scores: dataset.score[order[2]!]!, model: order[2]! };
    const simulator = new ChainSimulator(
      dataset,
      signals,
      order,
      ['confidence', 'agreement', undefined],
      'final',
      expected,
    );
    const random = seededRandom(3);
    for (let trial = 0; trial < 20; trial++) {
      const thresholds = [random(), random() < 0.5 ? 0.5 : Infinity, Infinity];
      for (const tier of [0, 1]) {
        const candidates = tier === 0 ? [0.1, 0.5, 0.77, 0.99, Infinity] : [0.5, Infinity];
        const swept = simulator.sweep(thresholds, tier, candidates, reference);
        candidates.forEach((candidate, index) => {
          const one = [...thresholds];
          one[tier] = candidate;
          const direct = simulator.totals(one, reference);
          for (const key of Object.keys(direct) as (keyof typeof direct)[])
            expect(swept[index]![key]).toBeCloseTo(direct[key], 9);
        });
      }
    }
  });

  it('agrees with totals when tiers have gaps (an item some model never answered)', async () => {
    const random = seededRandom(9);
    const items = Array.from({ length: 60 }, (_, index) => ({
      id: `g${index}`,
      responses: {
        a: { text: random() < 0.5 ? 'A' : 'B', costUsd: 1, confidence: random() },
        ...(random() < 0.7 && { b: { text: random() < 0.5 ? 'A' : 'B', costUsd: 2, confidence: random() } }),
        c: { text: 'A', costUsd: 5 },
      },
    }));
    const file = writeFixture(items.map((item) => ({ ...item, prompt: `q ${item.id}` })));
    const dataset = await loadDataset(file, { reference: 'c' });
    const order = modelsByCost(dataset);
    const signals = computeSignals(dataset, order, 'auto', { learned: false });
    const simulator = new ChainSimulator(dataset, signals, order, ['confidence', 'confidence', undefined], 'final');
    const reference = { scores: dataset.score[order[2]!]!, model: order[2]! };
    for (const held of [0.2, 0.6, Infinity]) {
      const candidates = [0, 0.3, 0.8, Infinity];
      const swept = simulator.sweep([0.5, held, Infinity], 1, candidates, reference);
      candidates.forEach((candidate, index) => {
        const direct = simulator.totals([0.5, candidate, Infinity], reference);
        expect(swept[index]!.cost).toBeCloseTo(direct.cost, 9);
        expect(swept[index]!.diff).toBeCloseTo(direct.diff, 9);
        expect(swept[index]!.exposed).toBe(direct.exposed);
      });
    }
  });
});
