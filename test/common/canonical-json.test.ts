import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalPlainMessagesJson, sha256 } from '../../src/common/canonical-json.js';

/** The first form of canonicalJson, kept here to hold the faster one to the same text. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${reference(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

describe('canonicalJson', () => {
  it('gives the same text as its first form, keys sorted by code unit and undefined members left out', () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole is one of the cases
    const sparse = [1, , 3];
    const values: unknown[] = [
      null,
      undefined,
      0,
      -1.5e300,
      'a "quoted" \u2028 line',
      true,
      [],
      {},
      [undefined, null, () => 1],
      sparse,
      { b: 1, a: [{ z: undefined, y: 'é', Y: 2, '': 0, '10': 1, '9': 2 }], c: { d: { e: [1, [2, [3]]] } } },
      { messages: [{ role: 'user', content: 'q' }], outputSchema: undefined },
      { '\ud83d\ude00': 1, '\uffff': 2, ä: 3, a: 4 },
      { date: new Date(0), fn: () => 1, sym: Symbol('s') },
      // Eight keys (sorted by insertion) and twelve (by sort), out of order.
      Object.fromEntries(['h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'].map((key, index) => [`k${key}`, index])),
      Object.fromEntries(
        ['l', 'c', 'k', 'a', 'j', 'b', 'i', 'd', 'h', 'e', 'g', 'f'].map((key, index) => [key, index]),
      ),
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(reference(value));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('writes plain role/content messages directly, as canonicalJson writes them, and declines any others', () => {
    const plain = [
      [],
      [{ role: 'user', content: 'q' }],
      [
        { content: 'a "quoted" \u2028 line é \ud83d', role: 'system' },
        { role: 'user', content: '' },
      ],
      JSON.parse('[{"role":"user","content":"parsed"}]'),
    ];
    for (const messages of plain)
      expect(canonicalPlainMessagesJson(messages)).toBe(canonicalJson({ messages, outputSchema: undefined }));
    const withInherited = Object.assign(Object.create({ extra: 1 }), { role: 'user', content: 'q' });
    const hiddenRole = Object.defineProperty({ content: 'q', other: 1 }, 'role', { value: 'user', enumerable: false });
    const others = [
      [{ role: 'user', content: [{ type: 'text', text: 'q' }] }],
      [{ role: 'user', content: 'q', name: 'n' }],
      [{ role: 'user' }],
      [{ role: 'user', content: undefined, other: 1 }],
      [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null },
      ],
      [withInherited],
      [hiddenRole],
      [Object.assign(Object.create(null), { role: 'user', content: 'q' })],
    ];
    for (const messages of others) expect(canonicalPlainMessagesJson(messages)).toBeUndefined();
  });

  it('hashes as hex SHA-256', () => {
    const text = 'Ünïcödé ✓';
    expect(sha256(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
