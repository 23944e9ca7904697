import { describe, expect, it } from 'vitest';
import { loadOnCall } from '../../src/common/load-on-call.js';

describe('loadOnCall', () => {
  it('does not load before the first call, forwards the arguments and keeps the exported name', async () => {
    let loads = 0;
    const module = { double: async (value: number) => value * 2 };
    const double = loadOnCall(async () => {
      loads++;
      return module;
    }, 'double');
    expect(loads).toBe(0);
    expect(double.name).toBe('double');
    expect(await double(2)).toBe(4);
    expect(await double(5)).toBe(10);
    // The loader runs at each call; `import()` caches the module, so it is read once.
    expect(loads).toBe(2);
  });

  it('names the public entry points as exported', async () => {
    const entry = await import('../../src/index.js');
    expect(entry.tuneCascade.name).toBe('tuneCascade');
    expect(entry.loadCascadeFile.name).toBe('loadCascadeFile');
  });
});
