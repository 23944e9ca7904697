import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cascade } from '../../src/engine/cascade.js';
import type { Tier } from '../../src/engine/tier.js';
import { CircuitBreaker, defaultCircuitBreakerOptions } from '../../src/middleware/circuit-breaker.js';
import { defaultRetryOptions } from '../../src/middleware/retry-policy.js';
import { createReplayProvider } from '../../src/providers/replay.js';
import type { Gate } from '../../src/spec/gate.js';
import type { Provider } from '../../src/spec/provider.js';
import { MockProvider } from '../../src/testing/mock-provider.js';
import { writeFixture } from '../helpers/replay-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A gate that passes after 40 ms of the (fake) clock, as a slow check or a judge's call would take. */
const slowGate: Gate = {
  specificationVersion: 'v1',
  name: 'slow',
  costRank: 0,
  async check() {
    vi.advanceTimersByTime(40);
    return { pass: true, reason: 'took 40 ms' };
  },
};

/** A gate that, like a judge, makes a call of its own: 40 ms of the clock, of which its call reports 30. */
const callingGate: Gate = {
  specificationVersion: 'v1',
  name: 'judge',
  costRank: 0,
  async check() {
    vi.advanceTimersByTime(40);
    return { pass: true, reason: 'the judge agreed', latencyMs: 30 };
  },
};

function oneTier(provider: Provider, gate: Gate = slowGate): Cascade {
  const tier: Tier = {
    name: 'only',
    provider,
    gates: [gate],
    params: {},
    pricing: undefined,
    retry: defaultRetryOptions,
    breaker: new CircuitBreaker(defaultCircuitBreakerOptions),
  };
  return new Cascade({ name: 'latency', tiers: [tier], onExhausted: 'accept-last' });
}

describe('an attempt latency', () => {
  it('is the recorded one when the tier replays a recording: the same run replayed gives the same figures', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const fixtures = writeFixture([{ id: 'q', responses: { small: { text: 'B', latencyMs: 250 } } }]);
    const cascade = oneTier(createReplayProvider({ model: 'small', fixtures }));
    const request = { id: 'q', messages: [{ role: 'user' as const, content: 'question q' }] };
    const first = await cascade.run(request);
    const again = await cascade.run(request);
    expect(first.trace[0]!.latencyMs).toBe(250);
    expect(first.latencyMs).toBe(250);
    expect(again).toEqual(first);
  });

  it("adds what a gate's own call reports (a replayed judge's recorded latency), not the gates' wall time", async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const fixtures = writeFixture([{ id: 'q', responses: { small: { text: 'B', latencyMs: 250 } } }]);
    const cascade = oneTier(createReplayProvider({ model: 'small', fixtures }), callingGate);
    const result = await cascade.run({ id: 'q', messages: [{ role: 'user', content: 'question q' }] });
    expect(result.trace[0]!.latencyMs).toBe(280);
  });

  it('is none for a request the recording lacks, not the time it took to find so', async () => {
    const fixtures = writeFixture([{ id: 'q', responses: { small: { text: 'B', latencyMs: 250 } } }]);
    const cascade = oneTier(createReplayProvider({ model: 'small', fixtures }));
    const result = await cascade.run({ id: 'absent', messages: [{ role: 'user', content: 'never recorded' }] });
    expect(result.trace[0]!.error?.kind).toBe('replay-miss');
    expect(result.trace[0]!.latencyMs).toBe(0);
    expect(result.latencyMs).toBe(0);
  });

  it('counts the gates time as well on a live tier', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const cascade = oneTier(new MockProvider({ model: 'small', answers: 'B', latencyMs: 250 }));
    const result = await cascade.run({ messages: [{ role: 'user', content: 'question q' }] });
    expect(result.trace[0]!.latencyMs).toBe(290);
    expect(result.latencyMs).toBe(290);
    // What a gate's call reports is inside the measured time already: not added twice.
    const judged = await oneTier(new MockProvider({ model: 'small', answers: 'B', latencyMs: 250 }), callingGate).run({
      messages: [{ role: 'user', content: 'question q' }],
    });
    expect(judged.latencyMs).toBe(290);
  });
});
