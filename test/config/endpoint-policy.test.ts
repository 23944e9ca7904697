import { afterEach, describe, expect, it } from 'vitest';
import { endpointWithPolicy } from '../../src/config/build-gate.js';
import { loadFixtureIndex } from '../../src/config/create-provider.js';
import { defaultCircuitBreakerOptions } from '../../src/middleware/circuit-breaker.js';
import { defaultRetryOptions, RetriesExhaustedError } from '../../src/middleware/retry-policy.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { openAIError } from '../helpers/wire.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

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

  it('live, goes through its call policy: a server error is retried, then reported with the retries spent', async () => {
    server = await startLoopbackServer(() => ({ status: 500, json: openAIError('down') }));
    const provider = endpointWithPolicy(
      { ...endpoint, baseURL: `${server.url}/v1` },
      { ...context(), env: { OPENAI_API_KEY: 'sk-test' } },
      { ...defaultRetryOptions, maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
      defaultCircuitBreakerOptions,
    );
    expect(provider.answersFromMemory).toBeUndefined();
    const failed = await provider
      .complete({ messages: [{ role: 'user', content: 'question q' }] })
      .catch((error) => error);
    expect(failed).toBeInstanceOf(RetriesExhaustedError);
    expect(failed.retries).toBe(1);
    expect(server.requests).toHaveLength(2);
  });
});
