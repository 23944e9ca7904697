import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The package's entry points are bundled (scripts/bundle.mjs) with shared chunks: a class reached through two
// entries must be one class, or `instanceof` would fail between them.
describe('the bundled entry points share one copy of the library', () => {
  it("an error from frugal-cascade/cache is an instance of frugal-cascade's classes", () => {
    const script = `
      const main = await import('frugal-cascade');
      const { createOpenAIEmbedder } = await import('frugal-cascade/cache');
      const error = await createOpenAIEmbedder({ env: {} }).embed(['x']).then(() => undefined, (caught) => caught);
      console.log(JSON.stringify({
        name: error?.name,
        missingKey: error instanceof main.MissingApiKeyError,
        cascadeError: error instanceof main.CascadeError,
      }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ name: 'MissingApiKeyError', missingKey: true, cascadeError: true });
  });
});
