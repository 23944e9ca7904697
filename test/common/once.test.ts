import { describe, expect, it } from 'vitest';
import { once } from '../../src/common/once.js';

describe('once', () => {
  it('computes on the first call only, and keeps an undefined result too', () => {
    let calls = 0;
    const found = once(() => {
      calls++;
      return undefined;
    });
    expect(calls).toBe(0);
    expect(found()).toBeUndefined();
    expect(found()).toBeUndefined();
    expect(calls).toBe(1);
  });
});
