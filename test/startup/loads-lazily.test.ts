import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadsPackage, modulesLoadedBy } from '../helpers/loaded-modules.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';
import { cliPath } from '../helpers/spawn-cli.js';

// What start-up must not load: the provider SDKs, the validators and parsers, the price database, the
// tokenizer and the OpenTelemetry API each wait for their first use (see bench/startup.ts).
const deferredPackages = [
  'openai',
  '@anthropic-ai/sdk',
  'ollama',
  'zod',
  'yaml',
  '@pydantic/genai-prices',
  '@opentelemetry/api',
  'js-tiktoken',
  'lru-cache',
];
const deferredModules = ['dist/src/config/load-cascade.js', 'dist/src/tune/tune.js', 'dist/src/batch/run-batch.js'];

function expectNothingDeferred(files: readonly string[]) {
  expect(deferredPackages.filter((name) => loadsPackage(files, name))).toEqual([]);
  expect(deferredModules.filter((module) => files.includes(module))).toEqual([]);
}

describe('start-up loads only what it needs (fresh processes, built package)', () => {
  it("import 'frugal-cascade' loads no SDK, validator, price database or tokenizer, and still exports the API", () => {
    const run = modulesLoadedBy([
      '--input-type=module',
      '-e',
      "const api = await import('frugal-cascade'); console.log(typeof api.loadCascadeFile, typeof api.Cascade, typeof api.openai('gpt-4o-mini').complete)",
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('function function function');
    expect(run.files).toContain('dist/src/index.js');
    expectNothingDeferred(run.files);
    // Node spends about 1 ms per module file it loads: the bundle puts what import needs in a few chunks
    // (scripts/bundle.mjs: 5 files of ours), where the unbundled build loaded about 110.
    const bundleFiles = run.files.filter((file) => file.startsWith('dist/bundle/'));
    expect(bundleFiles.length).toBeGreaterThan(0);
    expect(bundleFiles.length, bundleFiles.join('\n')).toBeLessThanOrEqual(8);
    // node:https (with TLS) and node:crypto take about 25 ms to load: they wait for the first request and hash.
    expect(
      ['node:http', 'node:https', 'node:crypto', 'node:readline'].filter((name) => run.files.includes(name)),
    ).toEqual([]);
  });

  it('cascade --help loads no SDK, validator, price database or tokenizer', () => {
    const run = modulesLoadedBy([cliPath, '--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: cascade');
    expectNothingDeferred(run.files);
  });
});

describe('a replay run loads the price database only when a cost depends on it', () => {
  const folder = tempDir();
  const cascadeFile = join(folder, 'cascade.yaml');
  writeFileSync(
    cascadeFile,
    'name: replayed\ntiers:\n  - { name: small, provider: openai, model: gpt-4o-mini, gates: [{ type: regex, pattern: "^[A-D]$" }] }\n',
  );
  const items = join(folder, 'items.jsonl');
  writeFileSync(items, `${JSON.stringify({ id: 'q1', prompt: 'question q1' })}\n`);
  const replay = (fixture: string, output: string) =>
    modulesLoadedBy([
      cliPath,
      'run',
      cascadeFile,
      '--input',
      items,
      '--output',
      join(folder, output),
      '--replay',
      fixture,
    ]);

  it('records that carry costUsd: the database is never loaded, the cost is the recorded one', () => {
    const fixture = writeFixture([{ id: 'q1', responses: { 'gpt-4o-mini': { text: 'B', costUsd: 0.25 } } }]);
    const run = replay(fixture, 'recorded-cost.jsonl');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(folder, 'recorded-cost.jsonl'), 'utf8')).costUsd).toBe(0.25);
    expect(loadsPackage(run.files, '@pydantic/genai-prices')).toBe(false);
    expect(loadsPackage(run.files, 'openai')).toBe(false);
  });

  it('an item the recording lacks: no tokenizer is built to price what it would have cost on the top tier', () => {
    const fixture = writeFixture([{ id: 'other', responses: { 'gpt-4o-mini': { text: 'B', costUsd: 0.25 } } }]);
    const run = replay(fixture, 'missed.jsonl');
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(folder, 'missed.jsonl'), 'utf8'));
    expect(result.stop).toBe('error');
    expect(result.trace[0].error.kind).toBe('replay-miss');
    expect(loadsPackage(run.files, 'js-tiktoken')).toBe(false);
  });

  it('records with usage only: the database prices them, as before', () => {
    const fixture = writeFixture([
      { id: 'q1', responses: { 'gpt-4o-mini': { text: 'B', usage: { inputTokens: 1_000_000, outputTokens: 0 } } } },
    ]);
    const run = replay(fixture, 'priced.jsonl');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(folder, 'priced.jsonl'), 'utf8')).costUsd).toBeGreaterThan(0);
    expect(loadsPackage(run.files, '@pydantic/genai-prices')).toBe(true);
  });
});
