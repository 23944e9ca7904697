import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/replay-fixture.js';
import { spawnCli } from '../helpers/spawn-cli.js';

const fixtures = fileURLToPath(new URL('../../fixtures/tune-example/train.jsonl', import.meta.url));

/** `cascade tune --json` as a user runs it (the built CLI, whose folds and baseline go to worker threads). */
async function tuneWithThreads(threads: string, out: string): Promise<Record<string, unknown>> {
  const run = spawnCli(['tune', '--fixtures', fixtures, '--out', out, '--json'], {
    FRUGAL_CASCADE_TUNE_THREADS: threads,
  });
  const { code, stdout, stderr } = await run.done;
  expect(code, stderr).toBe(0);
  const result = JSON.parse(stdout) as Record<string, unknown>;
  // What may differ: how long it took, and the file it was asked to write.
  delete result['seconds'];
  delete result['written'];
  return result;
}

describe('cascade tune on worker threads', () => {
  it('chooses, expects and writes exactly what a tune on one thread does', async () => {
    const folder = tempDir();
    // Two threads: one worker, and the calling thread taking the tasks it has not taken (a 2-core
    // machine). Three: two workers, with the tasks (five folds and the baseline) shared among three.
    const [one, two, three] = await Promise.all([
      tuneWithThreads('1', join(folder, 'one.yaml')),
      tuneWithThreads('2', join(folder, 'two.yaml')),
      tuneWithThreads('3', join(folder, 'three.yaml')),
    ]);
    expect(three['heldOut']).toBeDefined();
    expect(three['baseline']).toBeDefined();
    expect(two).toEqual(one);
    expect(three).toEqual(one);
    const written = readFileSync(join(folder, 'one.yaml'), 'utf8');
    expect(readFileSync(join(folder, 'two.yaml'), 'utf8')).toBe(written);
    expect(readFileSync(join(folder, 'three.yaml'), 'utf8')).toBe(written);
  }, 60_000);
});
