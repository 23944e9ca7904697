import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { loadDataset } from '../../src/evaluation/dataset.js';
import { joinDatasets, pickRows } from '../../src/evaluation/dataset-rows.js';
import { computeExpectedGains } from '../../src/tune/expected-gain.js';
import { pairKey } from '../../src/tune/signals.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { writeSyntheticFixture } from '../helpers/synthetic-fixture.js';
import { modelsByCost } from '../../src/evaluation/single-model.js';

async function json(args: string[]) {
  const io = captureIo();
  const code = await runCli(args, io);
  expect(code, io.err()).toBe(0);
  return JSON.parse(io.out());
}

describe('cascade tune on items it never saw', () => {
  it("fits each tier's chance of beating the best model from its confidence", async () => {
    const folder = tempDir();
    const dataset = await loadDataset(writeSyntheticFixture(folder, 'train', 600, 3));
    const order = modelsByCost(dataset);
    const large = dataset.models.indexOf('large');
    const small = dataset.models.indexOf('small');
    const gains = computeExpectedGains(dataset, order, large, 'auto').get(pairKey(small, undefined))!;
    const confidence = dataset.confidence[small]!;
    // small is right with probability = its confidence, large 92% of the time: the gain crosses zero near 0.85.
    for (let row = 0; row < dataset.ids.length; row++) {
      const truth = confidence[row]! - 0.85;
      expect(Math.abs(gains.gain[row]! - truth)).toBeLessThan(0.15);
    }
    // The reference against itself gains nothing.
    expect(
      computeExpectedGains(dataset, order, large, 'auto')
        .get(pairKey(large, undefined))!
        .gain.every((value) => value === 0),
    ).toBe(true);
  });

  it("tuned on 300 items, keeps the best model's accuracy on 3,000 new ones at a fraction of its cost, and said so beforehand", async () => {
    const folder = tempDir();
    const train = writeSyntheticFixture(folder, 'train', 300, 11);
    const unseen = writeSyntheticFixture(folder, 'unseen', 3000, 12);
    const out = join(folder, 'tuned.yaml');
    const tuned = await json(['tune', '--fixtures', train, '--out', out, '--json']);
    expect(tuned.tiers.length).toBeGreaterThan(1);
    expect(tuned.bestSingle.model).toBe('large');
    // The expectation comes from items each fold's tuning did not see.
    expect(tuned.heldOut.folds).toBe(5);
    expect(tuned.heldOut.savings).toBeGreaterThan(0.3);
    const measured = await json(['eval', out, '--fixtures', unseen, '--json']);
    expect(measured.bestSingle.model).toBe('large');
    expect(measured.versusBest.accuracyDifference).toBeGreaterThan(-0.01);
    expect(measured.savingsVsBest).toBeGreaterThan(0.3);
    // What tune expected on new items is near what they gave.
    expect(Math.abs(measured.savingsVsBest - tuned.heldOut.savings)).toBeLessThan(0.15);
    expect(Math.abs(measured.versusBest.accuracyDifference - tuned.heldOut.accuracyDifference)).toBeLessThan(0.03);
    const text = captureIo();
    expect(await runCli(['tune', '--fixtures', train, '--out', out], text)).toBe(0);
    expect(text.out()).toMatch(
      /expected on new items \(5-fold cross-validation of this tuning\): accuracy \d+\.\d%, [+-]\d+\.\d points \(±\d+\.\d\) against the best single model, savings \d+\.\d%/,
    );
    expect(readFileSync(out, 'utf8')).toContain('Expected on new items');
  });

  it('tunes a fixture without labels for agreement with the dearest model, or with --reference', async () => {
    const folder = tempDir();
    const file = writeSyntheticFixture(folder, 'unlabelled', 200, 21, { labels: false });
    const out = join(folder, 'tuned.yaml');
    const tuned = await json(['tune', '--fixtures', file, '--out', out, '--json']);
    expect(tuned.quality).toEqual({ agreementWith: 'large', why: 'unlabelled' });
    // Against itself the dearest model always agrees.
    expect(tuned.singleModels.large.accuracy).toBe(1);
    expect(tuned.singleModels.small.accuracy).toBeGreaterThan(0.3);
    expect(tuned.singleModels.small.accuracy).toBeLessThan(0.9);
    const measured = await json(['eval', out, '--fixtures', file, '--json']);
    expect(measured.quality.agreementWith).toBe('large');
    expect(measured.accuracy).toBeCloseTo(tuned.predicted.accuracy, 12);
    const byMedium = await json([
      'tune',
      '--fixtures',
      file,
      '--out',
      join(folder, 'medium.yaml'),
      '--reference',
      'medium',
      '--json',
    ]);
    expect(byMedium.quality).toEqual({ agreementWith: 'medium', why: 'requested' });
    expect(byMedium.singleModels.medium.accuracy).toBe(1);
    const io = captureIo();
    expect(await runCli(['tune', '--fixtures', file, '--out', join(folder, 'x.yaml'), '--reference', 'huge'], io)).toBe(
      2,
    );
    expect(io.err()).toContain(
      '--reference huge names no model of this fixture. Its models are: small, medium, large.',
    );
  });

  it('without labels allows a point of disagreement with the reference, which agrees with itself on every item; an --explore file is agreement too', async () => {
    const folder = tempDir();
    const file = writeSyntheticFixture(folder, 'unlabelled', 600, 31, { labels: false });
    const out = join(folder, 'tuned.yaml');
    const tuned = await json(['tune', '--fixtures', file, '--out', out, '--json']);
    expect(tuned.objective.tolerance).toBe(0.01);
    // Little here: large is wrong on 15% of items at random, so no cheaper answer agrees with it more often.
    expect(tuned.tiers.length).toBeGreaterThan(1);
    expect(tuned.savingsVsBest).toBeGreaterThan(0.01);
    // "Not below the reference" leaves the reference alone.
    const strict = await json([
      'tune',
      '--fixtures',
      file,
      '--out',
      join(folder, 's.yaml'),
      '--tolerance',
      '0',
      '--json',
    ]);
    expect(strict.tiers.map((tier: { model: string }) => tier.model)).toEqual(['large']);
    // Measured with labels on new items, against large alone.
    const measured = await json(['eval', out, '--fixtures', writeSyntheticFixture(folder, 'new', 3000, 32), '--json']);
    expect(measured.versusBest.accuracyDifference).toBeGreaterThan(-0.02);
    expect(measured.savingsVsBest).toBeGreaterThan(0);
    const text = captureIo();
    expect(await runCli(['tune', '--fixtures', file, '--out', out], text)).toBe(0);
    expect(text.out()).toContain(
      'up to 1 point of disagreement with it is allowed (the default when quality is agreement',
    );
    const explored = writeSyntheticFixture(folder, 'explored', 600, 31, { explored: true });
    const fromExplore = await json(['tune', '--fixtures', explored, '--out', join(folder, 'e.yaml'), '--json']);
    expect(fromExplore.quality).toEqual({ agreementWith: 'large', why: 'explored' });
    expect(fromExplore.objective.tolerance).toBe(0.01);
    expect(fromExplore.tiers).toEqual(tuned.tiers);
    // A guarantee asked for is a promise: it is not loosened.
    const promised = await json([
      'tune',
      '--fixtures',
      file,
      '--out',
      join(folder, 'g.yaml'),
      '--guarantee',
      '--delta',
      '0.1',
      '--json',
    ]);
    expect(promised.objective.tolerance).toBe(0);
    // An explore file whose labels were corrected by hand is labelled data.
    const corrected = readFileSync(explored, 'utf8').split('\n');
    const first = JSON.parse(corrected[0]!);
    first.expected = ['A', 'B', 'C', 'D'].find((letter) => letter !== first.responses.large.text);
    corrected[0] = JSON.stringify(first);
    writeFileSync(explored, corrected.join('\n'));
    const labelled = await json(['tune', '--fixtures', explored, '--out', join(folder, 'c.yaml'), '--json']);
    expect(labelled.quality).toBeUndefined();
    expect(labelled.objective.tolerance).toBe(0);
  });

  it('scores recorded answers as a live run returns them: a stated confidence line is stripped (the demo recording)', async () => {
    const measured = await json(['eval', 'cascades/demo.yaml', '--fixtures', 'fixtures/demo/recorded.jsonl', '--json']);
    // Every answer the local tier gives at run time is right, and it gives 15 of 30.
    expect(measured.tiers[0]).toMatchObject({ model: 'llama3.2:3b', share: 0.5 });
    expect(measured.accuracy).toBe(1);
    // 30 of 30 right is not certainty: Wilson's interval, not a bootstrap collapsed to 100%-100%.
    expect(measured.accuracyInterval.high).toBe(1);
    expect(measured.accuracyInterval.low).toBeCloseTo(0.8865, 3);
    // So the model is right on at least those 15; read raw, its answers (ending in "Confidence: 0.96") scored 0.
    expect(measured.singleModels['llama3.2:3b'].accuracy).toBeGreaterThanOrEqual(0.5);
    const raw = readFileSync('fixtures/demo/recorded.jsonl', 'utf8');
    expect(raw).toMatch(/Confidence: 0\.\d+/);
  });

  it('guarantee mode bounds the losses on a calibration half; --margin holds the paired bound; --tolerance loosens the default', async () => {
    const folder = tempDir();
    const train = writeSyntheticFixture(folder, 'train', 600, 11);
    const strict = await json([
      'tune',
      '--fixtures',
      train,
      '--out',
      join(folder, 'a.yaml'),
      '--guarantee',
      '--delta',
      '0.1',
      '--tolerance',
      '0.03',
      '--json',
    ]);
    expect(strict.objective).toMatchObject({ kind: 'match-best', estimate: 'guarantee', delta: 0.1, tolerance: 0.03 });
    expect(strict.guarantee.items).toBe(300);
    expect(strict.guarantee.differenceBound).toBeGreaterThanOrEqual(-0.03);
    expect(strict.tiers.length).toBeGreaterThan(1);
    const margin = await json([
      'tune',
      '--fixtures',
      train,
      '--out',
      join(folder, 'm.yaml'),
      '--margin',
      '1',
      '--json',
    ]);
    expect(margin.objective).toEqual({ kind: 'match-best', z: 1, estimate: 'paired-bound' });
    const loose = await json([
      'tune',
      '--fixtures',
      train,
      '--out',
      join(folder, 'b.yaml'),
      '--tolerance',
      '0.02',
      '--json',
    ]);
    const exact = await json(['tune', '--fixtures', train, '--out', join(folder, 'c.yaml'), '--json']);
    expect(loose.objective).toMatchObject({ estimate: 'blend', tolerance: 0.02 });
    expect(loose.savingsVsBest).toBeGreaterThanOrEqual(exact.savingsVsBest);
    const io = captureIo();
    expect(
      await runCli(['tune', '--fixtures', train, '--out', join(folder, 'd.yaml'), '--guarantee', '--margin', '1'], io),
    ).toBe(2);
    expect(io.err()).toContain('Give --guarantee (with --delta) or --margin, not both');
    expect(await runCli(['tune', '--fixtures', train, '--out', join(folder, 'e.yaml'), '--delta', '0.1'], io)).toBe(2);
    expect(io.err()).toContain('--delta applies only with --guarantee');
  });
});

describe('datasets by rows', () => {
  it('picks rows and joins two files, keeping every column aligned', async () => {
    const folder = tempDir();
    const a = await loadDataset(writeSyntheticFixture(folder, 'a', 5, 1));
    const b = await loadDataset(writeSyntheticFixture(folder, 'b', 3, 2));
    const joined = joinDatasets(a, b);
    expect(joined.ids).toEqual([...a.ids, ...b.ids]);
    const picked = pickRows(joined, [6, 0]);
    expect(picked.ids).toEqual([b.ids[1], a.ids[0]]);
    const small = joined.models.indexOf('small');
    expect(picked.confidence[small]![0]).toBe(b.confidence[b.models.indexOf('small')]![1]);
    expect(picked.text[small]![1]).toBe(a.text[a.models.indexOf('small')]![0]);
    writeFileSync(join(folder, 'unused'), '');
  });
});
