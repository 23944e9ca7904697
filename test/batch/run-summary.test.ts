import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { RunSummary } from '../../src/batch/run-summary.js';
import type { CascadeResult } from '../../src/spec/result.js';
import { captureIo } from '../helpers/capture-io.js';
import { tempDir } from '../helpers/replay-fixture.js';
import { join } from 'node:path';

const result = (fields: Partial<CascadeResult>): CascadeResult =>
  ({ text: 'B', accepted: true, stop: 'accepted', costUsd: 0, latencyMs: 0, trace: [], ...fields }) as CascadeResult;

describe('the run summary never misleads', () => {
  it('says nothing was answered instead of "100% saved" when every item stopped for budget', () => {
    const summary = new RunSummary(['small', 'big'], 'big');
    summary.add(result({ stop: 'budget', tier: 'small', accepted: false, costUsd: 0 }), 0.01);
    summary.add(result({ stop: 'budget', costUsd: 0 }), 0.01);
    const text = summary.format('out.jsonl', 1);
    expect(text).toContain('answered by:   small 0 (0%), big 0 (0%)');
    expect(text).toContain('(no item answered: nothing to compare)');
    expect(text).not.toContain('saved');
  });

  it('says how much more a cascade cost than its top tier, not "-108% saved"', () => {
    const summary = new RunSummary(['small', 'big'], 'big');
    summary.add(result({ tier: 'big', costUsd: 0.0208 }), 0.01);
    expect(summary.format('out.jsonl', 1)).toContain(
      'always using big on the 1 items answered (108% more than always using big)',
    );
  });

  it('counts bad input lines under the stop the result lines carry', () => {
    const summary = new RunSummary(['small'], 'small');
    for (let line = 0; line < 7; line++) summary.addInputError();
    const text = summary.format('out.jsonl', 1);
    expect(text).toContain('stops:         error 7');
    expect(text).toContain('errors:        bad input lines: 7');
  });

  it('a resumed run with nothing left says so', async () => {
    const output = join(tempDir(), 'out.jsonl');
    const args = [
      'run',
      'cascades/demo.yaml',
      '--input',
      'fixtures/demo/tickets.jsonl',
      '--output',
      output,
      '--replay',
      'fixtures/demo/recorded.jsonl',
    ];
    expect(await runCli(args, captureIo())).toBe(0);
    const again = captureIo();
    expect(await runCli(args, again)).toBe(0);
    expect(again.out()).toContain(
      `resumed:       all 30 items were already done in ${output} (use --overwrite to redo them)`,
    );
  });
});
