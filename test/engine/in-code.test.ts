import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createRegexGate } from '../../gates/regex.js';
import { ProviderError } from '../../src/errors/index.js';
import { createCascade } from '../../src/config/load-cascade.js';
import { wrapProvider } from '../../src/middleware/wrap-provider.js';
import type { ProviderMiddleware } from '../../src/spec/middleware.js';
import { MockProvider } from '../../src/testing/index.js';

const letter = () => createRegexGate({ pattern: '^[A-D]$' });
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });
const down = () => new ProviderError('503 from the mock', { isRetryable: true, statusCode: 503 });

describe('a cascade built in code', () => {
  it('needs only providers and gates: names, prices, retries and breakers are defaulted', async () => {
    const small = new MockProvider({ name: 'openai', model: 'gpt-4o-mini', answers: 'I think B' });
    const large = new MockProvider({ name: 'openai', model: 'gpt-4o', answers: 'B' });
    const cascade = await createCascade({
      tiers: [
        { provider: small, gates: [letter()] },
        { provider: large, gates: [letter()] },
      ],
    });
    const result = await cascade.run(ask('Which letter?'));
    expect(result).toMatchObject({ text: 'B', tier: 'gpt-4o', stop: 'accepted' });
    expect(result.trace.map((entry) => [entry.tier, entry.accepted])).toEqual([
      ['gpt-4o-mini', false],
      ['gpt-4o', true],
    ]);
    expect(small.calls).toHaveLength(1);
    expect(small.calls[0]!.request.messages.at(-1)!.content).toBe('Which letter?');
    // The built-in price table priced the tiers, so a budget can bound them.
    expect(cascade.tiers.map((tier) => tier.pricing !== undefined)).toEqual([true, true]);
  });

  it('retries a retryable failure through the one retry policy and traces the retry', async () => {
    const flaky = new MockProvider({ model: 'flaky', answers: [down(), 'A'] });
    const cascade = await createCascade({
      retry: { baseDelayMs: 0, maxDelayMs: 0 },
      tiers: [{ provider: flaky, gates: [letter()] }],
    });
    const result = await cascade.run(ask('q'));
    expect(result).toMatchObject({ text: 'A', stop: 'accepted' });
    expect(result.trace[0]!.retries).toBe(1);
    expect(flaky.calls).toHaveLength(2);
  });

  it('refuses a tier without a provider object, naming the field', async () => {
    const good = new MockProvider({ model: 'm', answers: 'A' });
    await expect(createCascade({ tiers: [{ provider: good }, { provider: {} }] })).rejects.toThrow(
      /tiers\[1\]\.provider/,
    );
  });
});

describe('exploration goes through the same stack as the run', () => {
  it('skips a tier whose circuit is open instead of calling it again', async () => {
    const small = new MockProvider({ model: 'small', answers: 'A' });
    const broken = new MockProvider({ model: 'broken', answers: down() });
    const cascade = await createCascade({
      retry: { maxRetries: 0 },
      circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 },
      tiers: [{ provider: small, gates: [letter()] }, { provider: broken }],
    });
    const first = await cascade.run(ask('q1'));
    expect(await cascade.exploreRemaining(ask('q1'), first)).toEqual([]);
    expect(broken.calls).toHaveLength(1);
    // The circuit opened on that failure: exploring the next item does not call the tier.
    const second = await cascade.run(ask('q2'));
    expect(await cascade.exploreRemaining(ask('q2'), second)).toEqual([]);
    expect(broken.calls).toHaveLength(1);
  });

  it('keeps to the per-item budget', async () => {
    const pricing = { inputPerMTok: 1_000_000, outputPerMTok: 1_000_000 };
    const small = new MockProvider({ model: 'small', answers: 'A', costUsd: 0.5 });
    const dear = new MockProvider({ model: 'dear', answers: 'A' });
    const cascade = await createCascade({
      budget: { perItemUsd: 1 },
      tiers: [
        { provider: small, gates: [letter()], pricing: { inputPerMTok: 0, outputPerMTok: 0 } },
        { provider: dear, pricing },
      ],
    });
    const result = await cascade.run(ask('q'));
    expect(result.stop).toBe('accepted');
    // A dollar per token: the dear tier's worst case cannot fit in what the item has left.
    expect(await cascade.exploreRemaining(ask('q'), result)).toEqual([]);
    expect(dear.calls).toHaveLength(0);
  });
});

describe('wrapProvider', () => {
  it('runs the first middleware outermost and passes transformed requests down', async () => {
    const order: string[] = [];
    const layer = (name: string): ProviderMiddleware => ({
      name,
      transformRequest: (request) => ({ ...request, messages: [...request.messages, { role: 'user', content: name }] }),
      async wrapComplete(next, request, options) {
        order.push(`${name} in`);
        const completion = await next(request, options);
        order.push(`${name} out`);
        return { ...completion, text: `${completion.text}+${name}` };
      },
    });
    const mock = new MockProvider({
      model: 'm',
      answers: (request) => request.messages.map((m) => m.content).join(','),
    });
    const wrapped = wrapProvider(mock, [layer('outer'), layer('inner')]);
    const completion = await wrapped.complete(ask('q'));
    expect(order).toEqual(['outer in', 'inner in', 'inner out', 'outer out']);
    expect(completion.text).toBe('q,outer,inner+inner+outer');
    expect(wrapped.model).toBe('m');
  });
});

describe('package surface', () => {
  it('serves the documented entry points by package name, and no bench', () => {
    const script = `
      const main = await import('frugal-cascade');
      const test = await import('frugal-cascade/test');
      const pkg = (await import('frugal-cascade/package.json', { with: { type: 'json' } })).default;
      console.log(JSON.stringify({
        createCascade: typeof main.createCascade, openai: typeof main.openai, wrapProvider: typeof main.wrapProvider,
        mock: typeof test.MockProvider, internals: typeof main.callWithRetries, files: pkg.files,
      }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const seen = JSON.parse(run.stdout);
    expect(seen).toMatchObject({
      createCascade: 'function',
      openai: 'function',
      wrapProvider: 'function',
      mock: 'function',
      internals: 'undefined',
    });
    expect(seen.files.some((file: string) => file.includes('bench'))).toBe(false);
  });
});

describe('results a user reads', () => {
  it('name tiers that failed for the same reason once, and carry no float noise in costs', async () => {
    const refused = () =>
      new ProviderError('401 from the server: key refused', { isRetryable: false, statusCode: 401 });
    const failing = await createCascade({
      tiers: ['a', 'b', 'c'].map((model) => ({ provider: new MockProvider({ model, answers: refused() }) })),
    });
    const failed = await failing.run(ask('q'));
    expect(failed.message).toBe('no tier answered: a, b, c: 401 from the server: key refused');
    const cheap = await createCascade({
      tiers: [
        { provider: new MockProvider({ model: 'x', answers: 'no', costUsd: 0.1 }), gates: [letter()] },
        { provider: new MockProvider({ model: 'y', answers: 'A', costUsd: 0.2 }) },
      ],
    });
    // 0.1 + 0.2 is 0.30000000000000004 in floating point.
    expect((await cheap.run(ask('q'))).costUsd).toBe(0.3);
  });
});
