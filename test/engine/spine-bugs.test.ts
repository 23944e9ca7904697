import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCustomGate } from '../../gates/custom.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { CircuitBreaker } from '../../src/middleware/circuit-breaker.js';
import { gateInput } from '../helpers/gate-input.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { tempDir, writeFixture } from '../helpers/replay-fixture.js';
import { openAIChat, openAIError } from '../helpers/wire.js';

let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

describe('regressions from the spine review', () => {
  it('a half-open trial that fails without saying anything about health gives its slot back', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1000 }, () => now);
    breaker.recordFailure();
    now = 1000;
    expect(breaker.allowsCall()).toBe(true);
    expect(breaker.allowsCall()).toBe(false);
    breaker.recordInconclusive();
    expect(breaker.allowsCall()).toBe(true);
  });

  it('end to end: after a 400 on the trial call the tier is tried again, not skipped for good', async () => {
    // Three 500s open the circuit; the trial call gets a 400 (not retryable); then the provider is well.
    server = await startLoopbackServer((_request, index) =>
      index < 3
        ? { status: 500, json: openAIError('down') }
        : index === 3
          ? { status: 400, json: openAIError('bad request') }
          : { json: openAIChat('B') },
    );
    const cascade = await createCascade({
      name: 'breaker',
      retry: { baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      circuitBreaker: { failureThreshold: 3, cooldownMs: 0 },
      tiers: [{ name: 'only', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1`, maxRetries: 0 }],
    });
    const results = [];
    for (let item = 0; item < 6; item++)
      results.push(await cascade.run({ messages: [{ role: 'user', content: `q${item}` }] }));
    expect(results.slice(4).map((result) => result.stop)).toEqual(['accepted', 'accepted']);
    expect(server.requests).toHaveLength(6);
  });

  it('a judge that sends nothing times out and is retried like a tier call; one that never answers fails its gate in time', async () => {
    const fixtures = writeFixture([{ id: 'q', responses: { small: { text: 'The printer is on fire.' } } }]);
    const judgeTier = (baseURL: string, maxRetries: number) => ({
      name: 'small',
      provider: 'replay',
      model: 'small',
      fixtures,
      gates: [
        {
          type: 'judge',
          provider: 'openai',
          model: 'gpt-4o-mini',
          baseURL,
          rubric: 'Faithful?',
          min: 7,
          // Long enough that the answering try never times out on a busy machine; the hanging one does.
          timeoutMs: 2000,
          maxRetries,
        },
      ],
    });
    server = await startLoopbackServer((_request, index) =>
      index === 0 ? { hang: true } : { json: openAIChat('{"score": 9}') },
    );
    const retried = await createCascade({
      name: 'judge',
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      tiers: [judgeTier(`${server.url}/v1`, 1)],
    });
    const result = await retried.run({ id: 'q', messages: [{ role: 'user', content: 'question q' }] });
    expect(result.trace[0]!.gates[0]).toMatchObject({ name: 'judge', pass: true, score: 9 });
    expect(server.requests).toHaveLength(2);
    await server.close();

    server = await startLoopbackServer(() => ({ hang: true }));
    const hung = await createCascade({ name: 'judge', tiers: [judgeTier(`${server.url}/v1`, 0)] });
    const failed = await hung.run({ id: 'q', messages: [{ role: 'user', content: 'question q' }] });
    expect(failed.trace[0]!.gates[0]!.pass).toBe(false);
    expect(failed.trace[0]!.gates[0]!.reason).toMatch(
      /gate failed to run: the judge's call to gpt-4o-mini failed: No answer within 2000 ms/,
    );
  });

  it('a custom gate written as a class keeps its methods', async () => {
    const file = join(tempDir(), 'class-gate.mjs');
    writeFileSync(
      file,
      `class Short { name = 'short'; limit = 2; async check({ text }) { return { pass: text.length <= this.limit, reason: 'length ' + text.length }; } }\nexport default new Short();\n`,
    );
    const gate = await loadCustomGate(file);
    expect(await gate.check(gateInput('ab'))).toMatchObject({ pass: true });
    expect(await gate.check(gateInput('abc'))).toMatchObject({ pass: false, reason: 'length 3' });
  });

  it('circuit breaker and retry fields given as undefined keep their defaults', async () => {
    server = await startLoopbackServer(() => ({ status: 500, json: openAIError('down') }));
    const cascade = await createCascade({
      name: 'defaults',
      retry: { baseDelayMs: 1, maxDelayMs: undefined, maxRetryAfterMs: 1 },
      circuitBreaker: { failureThreshold: undefined, cooldownMs: 60_000 },
      tiers: [{ name: 'only', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1`, maxRetries: 0 }],
    });
    for (let item = 0; item < 5; item++) await cascade.run({ messages: [{ role: 'user', content: `q${item}` }] });
    // The default threshold (3) opens the circuit: two items later are skipped without a call.
    expect(server.requests).toHaveLength(3);
  });
});

describe("a paid call's reservation", () => {
  it('is settled when its gates cannot be made: an output schema that does not compile', async () => {
    const { Cascade } = await import('../../src/engine/cascade.js');
    const { RunBudget } = await import('../../src/engine/run-budget.js');
    const { MockProvider } = await import('../../src/testing/index.js');
    const { defaultRetryOptions } = await import('../../src/middleware/retry-policy.js');
    const provider = new MockProvider({ model: 'm', answers: ['{}'], costUsd: 0.001 });
    const cascade = new Cascade({
      name: 'reservation',
      onExhausted: 'accept-last',
      tiers: [
        {
          name: 'only',
          provider,
          gates: [],
          params: { maxTokens: 100 },
          pricing: { inputPerMTok: 100, outputPerMTok: 100 },
          retry: defaultRetryOptions,
          breaker: new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }),
        },
      ],
    });
    const budget = new RunBudget(1);
    const request = {
      messages: [{ role: 'user' as const, content: 'q' }],
      outputSchema: { type: 'not-a-type' },
    };
    await expect(cascade.run(request, { runBudget: budget })).rejects.toThrow(/schema/);
    expect(provider.calls).toHaveLength(1);
    // The call's worst case was held while it ran; what it cost is spent, the rest given back.
    expect(budget.remaining).toBeCloseTo(1 - 0.001, 9);
  });
});
