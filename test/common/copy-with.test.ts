import { describe, expect, it } from 'vitest';
import { copyWith } from '../../src/common/copy-with.js';
import { prepareRequest } from '../../src/engine/prepare-request.js';
import type { Tier } from '../../src/engine/tier.js';

describe('copyWith', () => {
  it('is `{ ...base, ...extra }`: the same keys in the same order, neither argument changed', () => {
    const base = { id: '1', messages: [], params: { maxTokens: 3 } };
    const extra = { messages: ['x'], sourceMessages: [] };
    const copy = copyWith(base, extra);
    expect(Object.keys(copy)).toEqual(Object.keys({ ...base, ...extra }));
    expect(copy).toEqual({ ...base, ...extra });
    expect(base).toEqual({ id: '1', messages: [], params: { maxTokens: 3 } });
    expect(copy).not.toBe(base);
  });

  it("leaves a request as it was when a tier prepares it, the request's params over the tier's", () => {
    const request = { id: 'a', messages: [{ role: 'user' as const, content: 'q' }], params: { temperature: 0 } };
    const tier = { name: 't', gates: [], params: { temperature: 1, maxTokens: 9 } } as unknown as Tier;
    const prepared = prepareRequest(request, tier, 64);
    expect(prepared).toEqual({
      id: 'a',
      messages: request.messages,
      params: { temperature: 0, maxTokens: 9 },
      sourceMessages: request.messages,
    });
    expect(request).toEqual({ id: 'a', messages: request.messages, params: { temperature: 0 } });
  });
});
