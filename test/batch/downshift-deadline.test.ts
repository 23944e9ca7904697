import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downshiftCap } from '../../src/batch/downshift.js';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';
import { readResultLines } from '../helpers/spawn-cli.js';

describe('a run budget that downshifts', () => {
  it('caps the highest tier by the share of budget left against the share of items left', () => {
    expect(downshiftCap(3, 0.5, 0.5)).toBe(2);
    expect(downshiftCap(3, 0.25, 0.5)).toBe(1);
    expect(downshiftCap(3, 0.1, 0.9)).toBe(0);
    expect(downshiftCap(3, 0, 0)).toBe(2);
  });

  it('ends within budget with more items answered than a run that stops at the budget', async () => {
    // Every item fails the cheap tier's gate, so each would escalate to the dear one.
    const count = 60;
    const fixtures = writeFixture(
      Array.from({ length: count }, (_, index) => ({
        id: `q${index}`,
        responses: { cheap: { text: 'maybe A', costUsd: 0.0001 }, dear: { text: 'A', costUsd: 0.01 } },
      })),
    );
    const folder = tempDir();
    const cascade = join(folder, 'c.yaml');
    writeFileSync(
      cascade,
      `name: d\ntiers:\n  - { name: cheap, provider: replay, model: cheap, fixtures: ${fixtures}, gates: [{ type: regex, pattern: "^[A-D]$" }] }\n  - { name: dear, provider: replay, model: dear, fixtures: ${fixtures} }\n`,
    );
    const input = join(folder, 'items.jsonl');
    writeFileSync(
      input,
      `${Array.from({ length: count }, (_, index) => JSON.stringify({ id: `q${index}`, prompt: `question q${index}` })).join('\n')}\n`,
    );
    const budget = 0.1; // ten dear answers
    const run = async (output: string, extra: string[]) => {
      expect(
        await runCli(
          [
            'run',
            cascade,
            '--input',
            input,
            '--output',
            output,
            '--budget-usd',
            String(budget),
            '--concurrency',
            '1',
            ...extra,
          ],
          captureIo(),
        ),
      ).toBe(0);
      const results = readResultLines(output);
      return {
        answered: results.filter((result) => result.stop !== 'budget').length,
        spent: results.reduce((sum, result) => sum + result.costUsd, 0),
        downshifted: results.filter((result) =>
          result.trace.some((entry: { skipped?: string }) => entry.skipped === 'downshift'),
        ).length,
      };
    };
    const stopping = await run(join(folder, 'plain.jsonl'), []);
    const shifting = await run(join(folder, 'shift.jsonl'), ['--downshift']);
    expect(shifting.spent).toBeLessThanOrEqual(budget + 1e-12);
    expect(shifting.answered).toBeGreaterThan(stopping.answered);
    expect(shifting.downshifted).toBeGreaterThan(0);
  });
});

describe("the cascade file's run budget", () => {
  it('runs the agent example of the README within budget.runUsd, downshifting, with its classifier rule', async () => {
    const output = join(tempDir(), 'agent-run.jsonl');
    const io = captureIo();
    const code = await runCli(
      [
        'run',
        'cascades/agent-run.yaml',
        '--input',
        'fixtures/agent/run-items.jsonl',
        '--output',
        output,
        '--replay',
        'fixtures/agent/run-recorded.jsonl',
        '--concurrency',
        '1',
      ],
      io,
    );
    expect(code).toBe(0);
    const results = readResultLines(output);
    expect(results).toHaveLength(12);
    const spent = results.reduce((sum, result) => sum + result.costUsd, 0);
    expect(spent).toBeLessThanOrEqual(0.003 + 1e-12);
    const skipped = results.flatMap((result) =>
      result.trace.filter((entry: { skipped?: string }) => entry.skipped === 'downshift'),
    );
    expect(skipped.length).toBeGreaterThan(0);
    // Plans (labelled so by the local classifier) went straight to the hosted tier, or, once the budget ran
    // down, to the dearest tier it still allowed: every step answered, none stopped for budget.
    const plans = results.filter((result) => result.route?.classifiers?.[0]?.label === 'plan');
    expect(plans).toHaveLength(3);
    for (const plan of plans) expect(plan.route.rule).toBe('planning');
    expect(plans.filter((plan) => plan.tier === 'hosted').length).toBeGreaterThan(0);
    expect(plans.some((plan) => plan.tier === 'mini' && plan.trace[0].skipped === 'downshift')).toBe(true);
    expect(results.filter((result) => result.stop === 'budget')).toHaveLength(0);
    expect(io.out()).toMatch(/run budget: +\$0\.003 \(the cascade file's budget\.runUsd\), downshifting/);
  });

  it("keeps every tier with --no-downshift, whatever the file's budget.downshift says, and still holds the budget", async () => {
    const output = join(tempDir(), 'agent-run.jsonl');
    const io = captureIo();
    const args = ['--input', 'fixtures/agent/run-items.jsonl', '--output', output];
    const replay = ['--replay', 'fixtures/agent/run-recorded.jsonl', '--concurrency', '1', '--no-downshift'];
    expect(await runCli(['run', 'cascades/agent-run.yaml', ...args, ...replay], io)).toBe(0);
    const results = readResultLines(output);
    expect(results).toHaveLength(12);
    const skipped = results.flatMap((result) =>
      result.trace.filter((entry: { skipped?: string }) => entry.skipped === 'downshift'),
    );
    expect(skipped).toHaveLength(0);
    expect(results.reduce((sum, result) => sum + result.costUsd, 0)).toBeLessThanOrEqual(0.003 + 1e-12);
    // Without shifting down, the $0.003 runs out before the last steps: they stop for budget.
    expect(results.filter((result) => result.stop === 'budget').length).toBeGreaterThan(0);
    expect(io.out()).toMatch(/run budget: +\$0\.003 \(the cascade file's budget\.runUsd\) \(spent/);
  });

  it('refuses a downshift without the run budget it shifts by', async () => {
    const folder = tempDir();
    const cascade = join(folder, 'c.yaml');
    writeFileSync(
      cascade,
      'name: d\nbudget: { perItemUsd: 0.01, downshift: true }\ntiers:\n  - { name: only, provider: replay, model: m, fixtures: f.jsonl }\n',
    );
    const io = captureIo();
    expect(
      await runCli(['run', cascade, '--input', join(folder, 'in.jsonl'), '--output', join(folder, 'o.jsonl')], io),
    ).toBe(2);
    expect(io.err()).toMatch(/budget\.downshift.*give `runUsd` too/);
  });
});

describe('deadlines', () => {
  it('skip a tier whose recorded latency does not fit, and return the best answer so far when time is up', async () => {
    const fixtures = writeFixture(
      Array.from({ length: 3 }, (_, index) => ({
        id: `q${index}`,
        responses: {
          fast: { text: 'maybe A', latencyMs: 300 },
          slow: { text: 'A', latencyMs: 5000 },
        },
      })),
    );
    const folder = tempDir();
    const cascade = join(folder, 'c.yaml');
    writeFileSync(
      cascade,
      `name: d\ntiers:\n  - { name: fast, provider: replay, model: fast, fixtures: ${fixtures}, gates: [{ type: regex, pattern: "^[A-D]$" }] }\n  - { name: slow, provider: replay, model: slow, fixtures: ${fixtures} }\n`,
    );
    const input = join(folder, 'items.jsonl');
    // The first item has time for the slow tier; the others must finish within 2 s.
    writeFileSync(
      input,
      [
        JSON.stringify({ id: 'q0', prompt: 'question q0', deadlineMs: 60_000 }),
        JSON.stringify({ id: 'q1', prompt: 'question q1' }),
        JSON.stringify({ id: 'q2', prompt: 'question q2' }),
      ].join('\n'),
    );
    const output = join(folder, 'out.jsonl');
    expect(
      await runCli(
        ['run', cascade, '--input', input, '--output', output, '--concurrency', '1', '--deadline-ms', '2000'],
        captureIo(),
      ),
    ).toBe(0);
    const byId = Object.fromEntries(readResultLines(output).map((result) => [result.id, result]));
    expect(byId['q0']).toMatchObject({ tier: 'slow', stop: 'accepted' });
    // The slow tier's recorded 5 s do not fit in the 1.7 s left: skipped, and the best answer so far returned.
    expect(byId['q1'].trace.map((entry: { tier: string; skipped?: string }) => [entry.tier, entry.skipped])).toEqual([
      ['fast', undefined],
      ['slow', 'deadline'],
    ]);
    expect(byId['q1']).toMatchObject({ text: 'maybe A', tier: 'fast' });
  });
});
