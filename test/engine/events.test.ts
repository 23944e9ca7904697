import { describe, expect, it } from 'vitest';
import { createRegexGate } from '../../gates/regex.js';
import { ProviderError } from '../../src/errors/index.js';
import { createCascade } from '../../src/config/load-cascade.js';
import type { CascadeEvent } from '../../src/spec/events.js';
import { MockProvider } from '../../src/testing/index.js';

const letter = () => createRegexGate({ pattern: '^[A-D]$' });

describe('run events', () => {
  it('tell the story of an item in order, and the tier-end entries are its trace', async () => {
    const events: CascadeEvent[] = [];
    const cascade = await createCascade({
      name: 'mcq',
      retry: { maxRetries: 0 },
      tiers: [
        {
          provider: new MockProvider({
            model: 'down',
            answers: new ProviderError('503', { isRetryable: true, statusCode: 503 }),
          }),
        },
        { provider: new MockProvider({ model: 'small', answers: 'maybe B' }), gates: [letter()] },
        { provider: new MockProvider({ model: 'large', answers: 'B' }), gates: [letter()] },
      ],
    });
    const result = await cascade.run(
      { id: 'q7', messages: [{ role: 'user', content: 'Which?' }] },
      { onEvent: (event) => events.push(event) },
    );
    expect(events.map((event) => ('tier' in event ? `${event.type} ${event.tier}` : event.type))).toEqual([
      'item-start',
      'tier-start down',
      'tier-end down',
      'tier-start small',
      'gate-end small',
      'tier-end small',
      'tier-start large',
      'gate-end large',
      'tier-end large',
      'item-end',
    ]);
    expect(events.every((event) => event.cascade === 'mcq' && event.item === 'q7')).toBe(true);
    const ends = events.filter((event) => event.type === 'tier-end');
    expect(ends.map((event) => event.entry)).toEqual(result.trace);
    expect(events.at(-1)).toMatchObject({ type: 'item-end', result });
    const times = events.map((event) => event.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('say why a budget stopped an item', async () => {
    const events: CascadeEvent[] = [];
    const cascade = await createCascade({
      budget: { perItemUsd: 0.000001 },
      tiers: [
        {
          provider: new MockProvider({ model: 'dear', answers: 'A' }),
          pricing: { inputPerMTok: 1000, outputPerMTok: 1000 },
        },
      ],
      onExhausted: 'accept-last',
    });
    const result = await cascade.run(
      { messages: [{ role: 'user', content: 'q' }] },
      { onEvent: (event) => events.push(event) },
    );
    expect(result.stop).toBe('budget');
    expect(events.find((event) => event.type === 'budget-stop')).toMatchObject({
      tier: 'dear',
      message: result.message,
    });
  });
});
