import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { seededRandom } from '../../src/statistics/statistics.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { sharedDataFile } from '../helpers/shared-data.js';

/**
 * A fixture as a user would write it by hand: answers and an expected letter, no scores; the small model
 * has usage but no cost (priced from pricing.json), the others a recorded cost and confidence.
 */
function handWrittenFixture(folder: string): string {
  const random = seededRandom(5);
  const letters = ['A', 'B', 'C', 'D'];
  const lines = [];
  for (let index = 0; index < 120; index++) {
    const expected = letters[index % 4]!;
    const wrong = letters[(index + 1) % 4]!;
    const smallRight = random() < 0.6;
    const mediumRight = random() < 0.8;
    const largeRight = random() < 0.93;
    lines.push(
      JSON.stringify({
        id: `q${index}`,
        input: { messages: [{ role: 'user', content: `Question ${index}: pick the right letter.` }] },
        expected,
        responses: {
          small: { text: smallRight ? expected : wrong, usage: { inputTokens: 40, outputTokens: 1 } },
          medium: {
            text: `${mediumRight ? expected : wrong}`,
            costUsd: 0.0004,
            confidence: mediumRight ? 0.6 + 0.4 * random() : 0.3 + 0.5 * random(),
          },
          large: { text: largeRight ? expected : wrong, costUsd: 0.003, confidence: 0.5 + 0.5 * random() },
        },
      }),
    );
  }
  const file = join(folder, 'labelled.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  writeFileSync(join(folder, 'pricing.json'), JSON.stringify({ small: { inputPerMTok: 1, outputPerMTok: 2 } }));
  return file;
}

async function tuneThenEval(fixtures: string, folder: string, extra: string[] = []) {
  const out = join(folder, 'tuned.yaml');
  const report = join(folder, 'report.html');
  const tuneIo = captureIo();
  expect(
    await runCli(['tune', '--fixtures', fixtures, '--out', out, '--report', report, '--json', ...extra], tuneIo),
  ).toBe(0);
  const tuned = JSON.parse(tuneIo.out());
  const evalIo = captureIo();
  expect(await runCli(['eval', out, '--fixtures', fixtures, '--json'], evalIo)).toBe(0);
  return { tuned, measured: JSON.parse(evalIo.out()), out, report };
}

describe('cascade tune then cascade eval', () => {
  it('on a hand-written fixture: eval measures on the training file exactly what tune predicted', async () => {
    const folder = tempDir();
    const { tuned, measured, out, report } = await tuneThenEval(handWrittenFixture(folder), folder);
    expect(measured.items).toBe(120);
    expect(tuned.tiers.length).toBeGreaterThan(1);
    // Intervals: bootstrap over items, around the measured figures; the paired difference is against the best model.
    expect(measured.accuracyInterval.low).toBeLessThan(measured.accuracy);
    expect(measured.accuracyInterval.high).toBeGreaterThan(measured.accuracy);
    expect(measured.costInterval.low).toBeLessThan(measured.costPerItem);
    expect(measured.costInterval.high).toBeGreaterThan(measured.costPerItem);
    expect(measured.versusBest.accuracyDifference).toBeCloseTo(measured.accuracy - measured.bestSingle.accuracy, 12);
    expect(measured.versusBest.interval.low).toBeLessThanOrEqual(measured.versusBest.accuracyDifference);
    expect(measured.versusBest.interval.high).toBeGreaterThanOrEqual(measured.versusBest.accuracyDifference);
    expect(measured.accuracy).toBeCloseTo(tuned.predicted.accuracy, 12);
    expect(measured.costPerItem).toBeCloseTo(tuned.predicted.costPerItem, 12);
    for (const [index, tier] of (measured.tiers as { share: number }[]).entries())
      expect(tier.share).toBeCloseTo(tuned.tiers[index].share, 12);
    // The cheap model is priced from pricing.json: 40 x $1/M + 1 x $2/M.
    expect(measured.singleModels.small.costPerItem).toBeCloseTo(42e-6, 12);
    expect(readFileSync(out, 'utf8')).toContain('provider: replay');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    // The frontier: cheaper is less accurate all along it, and the plot draws every point of it.
    const frontier: { accuracy: number; costPerItem: number }[] = tuned.frontier;
    expect(frontier.length).toBeGreaterThan(2);
    frontier.slice(1).forEach((point, index) => {
      expect(point.costPerItem).toBeGreaterThan(frontier[index]!.costPerItem);
      expect(point.accuracy).toBeGreaterThan(frontier[index]!.accuracy);
    });
    expect(html.match(/class="frontier"/g)).toHaveLength(frontier.length);
  });

  it('refuses to evaluate a tier whose model the fixture never recorded, naming the models it has', async () => {
    const folder = tempDir();
    const fixtures = handWrittenFixture(folder);
    const cascade = join(folder, 'misnamed.yaml');
    writeFileSync(
      cascade,
      `name: misnamed\ntiers:\n  - { name: first, provider: replay, model: small, fixtures: labelled.jsonl, gates: [{ type: regex, pattern: "^A" }] }\n  - { name: last, provider: replay, model: larg, fixtures: labelled.jsonl }\n`,
    );
    const io = captureIo();
    expect(await runCli(['eval', cascade, '--fixtures', fixtures], io)).toBe(2);
    expect(io.err()).toContain(
      'tier "last" asks for model "larg", which has no recorded answer in this fixture. Its models are: small, medium, large.',
    );
    expect(io.out()).toBe('');
  });

  it('meets an accuracy target when asked, and refuses conflicting objectives', async () => {
    const folder = tempDir();
    const fixtures = handWrittenFixture(folder);
    const { tuned } = await tuneThenEval(fixtures, folder, ['--target-accuracy', '0.8', '--margin', '0']);
    expect(tuned.predicted.accuracy).toBeGreaterThanOrEqual(0.8);
    const io = captureIo();
    expect(
      await runCli(
        [
          'tune',
          '--fixtures',
          fixtures,
          '--out',
          join(folder, 'x.yaml'),
          '--target-accuracy',
          '0.8',
          '--tradeoff',
          '1',
        ],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toContain('at most one of --target-accuracy');
    expect(
      await runCli(['tune', '--fixtures', fixtures, '--out', join(folder, 'x.yaml'), '--target-accuracy', '80'], io),
    ).toBe(2);
    expect(io.err()).toContain('Expected `--target-accuracy` to be a number from 0 to 1, got `80`');
  });

  const mmlu = sharedDataFile('zellinger-mmlu/train.jsonl');
  it.skipIf(!mmlu)('on a real data set (zellinger-mmlu train): predicted and measured figures agree', async () => {
    const folder = tempDir();
    // Without a margin, so that a cascade of several tiers (not the best model alone) is compared.
    const { tuned, measured } = await tuneThenEval(mmlu!, folder, ['--margin', '0']);
    expect(tuned.tiers.length).toBeGreaterThan(1);
    expect(measured.items).toBe(285);
    expect(measured.accuracy).toBeCloseTo(tuned.predicted.accuracy, 12);
    expect(measured.costPerItem).toBeCloseTo(tuned.predicted.costPerItem, 12);
    expect(tuned.predicted.accuracyInterval.low).toBeLessThanOrEqual(tuned.predicted.accuracy);
  });

  const arc = sharedDataFile('routerbench-arc/train.jsonl');
  it.skipIf(!arc)(
    'on a data set with gaps and no confidences (routerbench-arc train), using learned or agreement gates',
    async () => {
      const folder = tempDir();
      const { tuned, measured } = await tuneThenEval(arc!, folder, ['--margin', '0']);
      expect(measured.accuracy).toBeCloseTo(tuned.predicted.accuracy, 12);
      expect(measured.costPerItem).toBeCloseTo(tuned.predicted.costPerItem, 12);
      expect(tuned.tiers.length).toBeGreaterThan(1);
    },
  );

  const gsm8k = sharedDataFile('zellinger-gsm8k/train.jsonl');
  it.skipIf(!gsm8k)(
    'says what a cascade without a margin would save when the margin leaves only the best model',
    async () => {
      const folder = tempDir();
      const io = captureIo();
      expect(
        await runCli(['tune', '--fixtures', gsm8k!, '--out', join(folder, 'tuned.yaml'), '--margin', '1.645'], io),
      ).toBe(0);
      expect(io.out()).toContain('cascade: llama3.1-405b\n');
      expect(io.out()).toContain('no cascade beats llama3.1-405b by a margin of 1.645 standard errors on 167 items;');
      expect(io.out()).toMatch(
        /a plain grid search, taking the file at face value, would pick .+ -> .+ and save \d+\.\d% on it/,
      );
      // The best model alone, measured against itself: no difference, and an interval with no width.
      const evalIo = captureIo();
      expect(await runCli(['eval', join(folder, 'tuned.yaml'), '--fixtures', gsm8k!, '--json'], evalIo)).toBe(0);
      expect(JSON.parse(evalIo.out()).versusBest).toEqual({ accuracyDifference: 0, interval: { low: 0, high: 0 } });
      const lower = captureIo();
      expect(
        await runCli(['tune', '--fixtures', gsm8k!, '--out', join(folder, 'risky.yaml'), '--margin', '0'], lower),
      ).toBe(0);
      expect(lower.out()).not.toContain('no cascade beats');
      expect(lower.out()).toMatch(/cascade: .+ -> /);
    },
  );
});
