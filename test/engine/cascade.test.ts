import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createCascade } from '../../src/config/load-cascade.js';
import { AbortedError } from '../../src/errors/index.js';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { writeFixture } from '../helpers/replay-fixture.js';
import { openAIChat, openAIError } from '../helpers/wire.js';

const letter = { type: 'regex', pattern: '^[A-D]$' } as const;
let server: LoopbackServer | undefined;
afterEach(async () => server?.close());

function replayTier(name: string, fixtures: string, gates: unknown[] = [letter]) {
  return { name, provider: 'replay', model: name, fixtures, gates };
}

describe('escalation', () => {
  it('climbs in tier order until a tier passes its gates, and traces every attempt', async () => {
    const fixtures = writeFixture([
      {
        id: 'q1',
        responses: {
          small: { text: 'I think it is B', costUsd: 0.0001, latencyMs: 100 },
          medium: { text: 'B', costUsd: 0.001, latencyMs: 300 },
          large: { text: 'B', costUsd: 0.01, latencyMs: 900 },
        },
      },
    ]);
    const cascade = await createCascade({
      name: 'mcq',
      tiers: ['small', 'medium', 'large'].map((name) => replayTier(name, fixtures)),
    });
    const result = await cascade.run({ id: 'q1', messages: [{ role: 'user', content: 'question q1' }] });
    expect(result).toMatchObject({ text: 'B', tier: 'medium', model: 'medium', accepted: true, stop: 'accepted' });
    expect(result.trace.map((entry) => [entry.tier, entry.accepted])).toEqual([
      ['small', false],
      ['medium', true],
    ]);
    expect(result.trace[0]!.gates[0]).toMatchObject({ name: 'regex', pass: false });
    expect(result.costUsd).toBeCloseTo(0.0011, 12);
    expect(result.latencyMs).toBeGreaterThanOrEqual(400);
  });

  it('answers by request when the item has no id', async () => {
    const fixtures = writeFixture([
      { id: 'q1', prompt: 'What is 2+2? A) 3 B) 4', responses: { small: { text: 'B' } } },
    ]);
    const cascade = await createCascade({ name: 'mcq', tiers: [replayTier('small', fixtures)] });
    const result = await cascade.run({ messages: [{ role: 'user', content: 'What is 2+2? A) 3 B) 4' }] });
    expect(result).toMatchObject({ text: 'B', stop: 'accepted' });
  });

  it('passes the parsed value of a json-schema gate and the text a confidence gate stripped', async () => {
    const fixtures = writeFixture([{ id: 'j', responses: { small: { text: '{"label":"spam"}\nConfidence: 0.9' } } }]);
    const gates = [
      { type: 'json-schema', schema: { type: 'object', required: ['label'] } },
      { type: 'confidence', source: 'self-report', min: 0.8 },
    ];
    const cascade = await createCascade({ name: 'j', tiers: [replayTier('small', fixtures, gates)] });
    const result = await cascade.run({ id: 'j', messages: [{ role: 'user', content: 'x' }] });
    expect(result).toMatchObject({ text: '{"label":"spam"}', value: { label: 'spam' }, accepted: true });
    // Cheapest first: the confidence parse runs before the schema check.
    expect(result.trace[0]!.gates.map((gate) => gate.name)).toEqual(['confidence', 'json-schema']);
    expect(result.trace[0]!.gates[0]).toMatchObject({ score: 0.9, threshold: 0.8 });
  });
});

describe('witness tiers and agreement', () => {
  it('asks a witness, never returns its answer alone, and accepts the next tier when it agrees', async () => {
    const fixtures = writeFixture([
      {
        id: 'same',
        responses: {
          witness: { text: 'B', costUsd: 0.001 },
          second: { text: 'b', costUsd: 0.002 },
          top: { text: 'C', costUsd: 0.01 },
        },
      },
      {
        id: 'differ',
        responses: {
          witness: { text: 'A', costUsd: 0.001 },
          second: { text: 'B', costUsd: 0.002 },
          top: { text: 'C', costUsd: 0.01 },
        },
      },
    ]);
    const cascade = await createCascade({
      name: 'x',
      tiers: [
        { name: 'witness', provider: 'replay', model: 'witness', fixtures, witness: true },
        {
          name: 'second',
          provider: 'replay',
          model: 'second',
          fixtures,
          gates: [{ type: 'agreement', compare: 'letter' }],
        },
        { name: 'top', provider: 'replay', model: 'top', fixtures },
      ],
    });
    const agreed = await cascade.run({ id: 'same', messages: [{ role: 'user', content: 'q' }] });
    expect(agreed).toMatchObject({ text: 'b', tier: 'second', accepted: true });
    expect(agreed.costUsd).toBeCloseTo(0.003, 12);
    const escalated = await cascade.run({ id: 'differ', messages: [{ role: 'user', content: 'q' }] });
    expect(escalated).toMatchObject({ text: 'C', tier: 'top' });
    expect(escalated.trace[0]!.gates[0]).toMatchObject({ name: 'witness', pass: false });
  });
});

describe('onExhausted', () => {
  const answers = {
    small: { text: 'A', confidence: 0.8 },
    medium: { text: 'B', confidence: 0.85 },
    large: { text: 'C', confidence: 0.5 },
  };
  async function exhaust(onExhausted: 'accept-last' | 'best-score' | 'fail') {
    const fixtures = writeFixture([{ id: 'q', responses: answers }]);
    const gates = [{ type: 'confidence', min: 0.9 }];
    const cascade = await createCascade({
      name: 'x',
      onExhausted,
      tiers: ['small', 'medium', 'large'].map((name) => replayTier(name, fixtures, gates)),
    });
    return cascade.run({ id: 'q', messages: [{ role: 'user', content: 'q' }] });
  }

  it('accept-last returns the top tier answer, not accepted', async () => {
    expect(await exhaust('accept-last')).toMatchObject({
      text: 'C',
      tier: 'large',
      accepted: false,
      stop: 'exhausted',
    });
  });

  it('best-score returns the answer whose gates came closest', async () => {
    expect(await exhaust('best-score')).toMatchObject({
      text: 'B',
      tier: 'medium',
      accepted: false,
      stop: 'exhausted',
    });
  });

  it('fail returns no answer', async () => {
    const result = await exhaust('fail');
    expect(result.text).toBeUndefined();
    expect(result).toMatchObject({ stop: 'exhausted', accepted: false });
    expect(result.trace).toHaveLength(3);
  });
});

describe('budget', () => {
  it('stops before a call whose recorded cost would pass the item budget, returning the best answer so far', async () => {
    const fixtures = writeFixture([
      {
        id: 'q',
        responses: {
          small: { text: 'no', costUsd: 0.0002 },
          medium: { text: 'nope', costUsd: 0.0005 },
          large: { text: 'B', costUsd: 0.002 },
        },
      },
    ]);
    const cascade = await createCascade({
      name: 'x',
      budget: { perItemUsd: 0.001 },
      tiers: ['small', 'medium', 'large'].map((name) => replayTier(name, fixtures)),
    });
    const result = await cascade.run({ id: 'q', messages: [{ role: 'user', content: 'q' }] });
    expect(result).toMatchObject({ stop: 'budget', text: 'nope', tier: 'medium', accepted: false });
    expect(result.trace[2]).toMatchObject({ tier: 'large', skipped: 'budget', costUsd: 0 });
    expect(result.costUsd).toBeCloseTo(0.0007, 12);
  });

  it('is never exceeded over many items with random costs', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const items = Array.from({ length: 300 }, (_, index) => ({
      id: `q${index}`,
      responses: Object.fromEntries(
        ['small', 'medium', 'large'].map((name, tier) => [
          name,
          { text: random() < 0.5 ? 'B' : 'maybe B', costUsd: random() * 0.0008 * (tier + 1) },
        ]),
      ),
    }));
    const fixtures = writeFixture(items);
    const budget = 0.001;
    const cascade = await createCascade({
      name: 'x',
      budget: { perItemUsd: budget },
      tiers: ['small', 'medium', 'large'].map((name) => replayTier(name, fixtures)),
    });
    const stops = new Set<string>();
    for (const item of items) {
      const result = await cascade.run({ id: item.id, messages: [{ role: 'user', content: `question ${item.id}` }] });
      stops.add(result.stop);
      expect(result.costUsd).toBeLessThanOrEqual(budget);
    }
    expect(stops).toContain('budget');
    expect(stops).toContain('accepted');
  });

  it('bounds a live call by tokens and max output before calling, and skips a tier that cannot fit', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B', { promptTokens: 10, completionTokens: 1 }) }));
    const cascade = await createCascade({
      name: 'x',
      budget: { perItemUsd: 0.001 },
      tiers: [
        // 2,000 answer tokens at $10/M = $0.02 worst case: over the budget before any token is sent.
        {
          name: 'big',
          provider: 'openai',
          model: 'custom-large',
          baseURL: `${server.url}/v1`,
          params: { maxTokens: 2000 },
          pricing: { inputPerMTok: 10, outputPerMTok: 10 },
        },
      ],
    });
    const result = await cascade.run({ messages: [{ role: 'user', content: 'q' }] });
    expect(result.stop).toBe('budget');
    expect(server.requests).toHaveLength(0);
  });

  it('imposes a max-token bound on tiers that set none, so the estimate holds', async () => {
    server = await startLoopbackServer(() => ({ json: openAIChat('B', { promptTokens: 10, completionTokens: 1 }) }));
    const cascade = await createCascade({
      name: 'x',
      budget: { perItemUsd: 0.05 },
      tiers: [
        {
          name: 'cheap',
          provider: 'openai',
          model: 'm',
          baseURL: `${server.url}/v1`,
          pricing: { inputPerMTok: 1, outputPerMTok: 1 },
        },
      ],
    });
    const result = await cascade.run({ messages: [{ role: 'user', content: 'q' }] });
    expect(result.stop).toBe('accepted');
    expect(server.requests[0]!.body.max_tokens).toBe(1024);
  });
});

describe('fallback, retries and the circuit breaker', () => {
  const fastRetry = { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 50 };

  it('falls back to the next tier when a tier keeps failing, and traces the error and retries', async () => {
    server = await startLoopbackServer(() => ({ status: 500, json: openAIError('internal error') }));
    const fixtures = writeFixture([{ id: 'q', responses: { backup: { text: 'B' } } }]);
    const cascade = await createCascade({
      name: 'x',
      retry: fastRetry,
      tiers: [
        { name: 'flaky', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1`, maxRetries: 2 },
        replayTier('backup', fixtures),
      ],
    });
    const result = await cascade.run({ id: 'q', messages: [{ role: 'user', content: 'q' }] });
    expect(result).toMatchObject({ text: 'B', tier: 'backup', stop: 'accepted' });
    expect(result.trace[0]).toMatchObject({ tier: 'flaky', retries: 2, error: { kind: 'status', statusCode: 500 } });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a 429 after its retry-after and then succeeds', async () => {
    server = await startLoopbackServer((_request, index) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '0.02' }, json: openAIError('slow down') }
        : { json: openAIChat('C') },
    );
    const cascade = await createCascade({
      name: 'x',
      retry: fastRetry,
      tiers: [{ name: 'one', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1`, gates: [letter] }],
    });
    const started = performance.now();
    const result = await cascade.run({ messages: [{ role: 'user', content: 'q' }] });
    expect(result).toMatchObject({ text: 'C', stop: 'accepted' });
    expect(result.trace[0]!.retries).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });

  it('skips a tier that keeps failing for its cool-down, then lets one trial call through', async () => {
    let healthy = false;
    server = await startLoopbackServer(() =>
      healthy ? { json: openAIChat('A') } : { status: 503, json: openAIError('unavailable') },
    );
    const fixtures = writeFixture(
      ['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => ({ id, responses: { backup: { text: 'D' } } })),
    );
    // The breaker's clock is the wall clock, faked here: however slow the machine, the cool-down passes
    // only when the test moves the clock past it.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const cascade = await createCascade({
      name: 'x',
      retry: fastRetry,
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
      tiers: [
        { name: 'flaky', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1`, maxRetries: 1 },
        replayTier('backup', fixtures),
      ],
    });
    const ask = (id: string) => cascade.run({ id, messages: [{ role: 'user', content: 'q' }] });
    await ask('q1');
    await ask('q2');
    expect(server.requests).toHaveLength(4);
    const skipped = await ask('q3');
    expect(skipped.trace[0]).toMatchObject({ tier: 'flaky', skipped: 'circuit-open' });
    expect(skipped).toMatchObject({ text: 'D', tier: 'backup' });
    expect(server.requests).toHaveLength(4);
    healthy = true;
    vi.setSystemTime(Date.now() + 59_000);
    expect((await ask('q4')).trace[0]).toMatchObject({ tier: 'flaky', skipped: 'circuit-open' });
    vi.setSystemTime(Date.now() + 1_000);
    const trial = await ask('q4');
    expect(trial).toMatchObject({ text: 'A', tier: 'flaky' });
    expect((await ask('q5')).tier).toBe('flaky');
  });

  it('returns stop "error" when no tier answers', async () => {
    server = await startLoopbackServer(() => ({
      status: 400,
      json: openAIError('bad request', 'invalid_request_error'),
    }));
    const cascade = await createCascade({
      name: 'x',
      tiers: [{ name: 'only', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1` }],
    });
    const result = await cascade.run({ messages: [{ role: 'user', content: 'q' }] });
    expect(result).toMatchObject({ stop: 'error', accepted: false });
    expect(result.text).toBeUndefined();
    expect(result.message).toContain('only:');
    expect(server.requests).toHaveLength(1);
  });

  it('stops at once when the caller aborts', async () => {
    server = await startLoopbackServer(() => ({ hang: true }));
    const cascade = await createCascade({
      name: 'x',
      tiers: [
        { name: 'slow', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${server.url}/v1`, timeoutMs: 10_000 },
      ],
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      cascade.run({ messages: [{ role: 'user', content: 'q' }] }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
  });

  it('treats a gate that throws as a failed verdict and escalates', async () => {
    const fixtures = writeFixture([{ id: 'q', responses: { small: { text: 'A' }, large: { text: 'B' } } }]);
    const { writeFileSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const module = join(dirname(fixtures), 'broken-gate.mjs');
    writeFileSync(
      module,
      `export default { name: 'broken', async check() { throw new Error('lookup service down'); } };\n`,
    );
    const cascade = await createCascade({
      name: 'x',
      tiers: [replayTier('small', fixtures, [{ type: 'custom', module }]), replayTier('large', fixtures)],
    });
    const result = await cascade.run({ id: 'q', messages: [{ role: 'user', content: 'q' }] });
    expect(result).toMatchObject({ text: 'B', tier: 'large' });
    expect(result.trace[0]!.gates[0]).toMatchObject({
      name: 'broken',
      pass: false,
      reason: 'gate failed to run: lookup service down',
    });
  });
});
