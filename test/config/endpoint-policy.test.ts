import { describe, expect, it } from 'vitest';
import { endpointWithPolicy } from '../../src/config/build-gate.js';
import { loadFixtureIndex } from '../../src/config/create-provider.js';
import { defaultCircuitBreakerOptions } from '../../src/middleware/circuit-breaker.js';
import { defaultRetryOptions } from '../../src/middleware/retry-policy.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';

describe("a judge's or a classifier's endpoint", () => {
  const endpoint = { provider: 'openai' as const, model: 'gpt-4o-mini' };
  const context = (replay?: string) => ({
    label: 'the judge of tiers[0].gates[0]',
    where: 'tiers[0].gates[0]',
    baseDir: tempDir(),
    ...(replay && { replay: loadFixtureIndex(replay) }),
  });

  it('replayed from a recording is called as it is, as a tier is: nothing to time out, retry or trip', async () => {
    const fixtures = writeFixture([{ id: 'q', responses: { 'gpt-4o-mini': { text: '5', costUsd: 0.001 } } }]);
    const provider = endpointWithPolicy(endpoint, context(fixtures), defaultRetryOptions, defaultCircuitBreakerOptions);
    expect(provider.answersFromMemory).toBe(true);
    const completion = await provider.complete({ id: 'q', messages: [{ role: 'user', content: 'question q' }] });
    expect(completion).toMatchObject({ text: '5', costUsd: 0.001 });
  });

  it('live, goes through its call policy (a provider of its own, not one that answers from memory)', () => {
    const provider = endpointWithPolicy(
      endpoint,
      { ...context(), env: { OPENAI_API_KEY: 'sk-test' } },
      defaultRetryOptions,
      defaultCircuitBreakerOptions,
    );
    expect(provider.answersFromMemory).toBeUndefined();
    expect(provider.model).toBe('gpt-4o-mini');
  });
});
