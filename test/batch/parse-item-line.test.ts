import { describe, expect, it } from 'vitest';
import { parseItemLine } from '../../src/batch/read-items.js';
import { idKeyOf, idTextOf, rawIdOf } from '../../src/output/raw-id.js';

/** The id as the full scan of the line reads it (the last `id` member, as written). */
function scanned(text: string) {
  const rawId = rawIdOf(text)!;
  return { id: idTextOf(rawId), idKey: idKeyOf(rawId), rawId };
}

describe('parseItemLine ids', () => {
  it('reads every id as the full scan does, on lines the leading-id shortcut takes and lines it must leave', () => {
    const lines = [
      '{"id":"t1","prompt":"a"}',
      '{"id":"t1","prompt":"say \\"id\\" twice"}',
      '{"id":"t1","prompt":"a","id":"t2"}', // the last id wins, as in JSON.parse
      '{"id":"t1","prompt":"a","\\u0069d":"t3"}', // a key spelled with an escape
      '{"id":"t1","prompt":"caf\\u00e9"}',
      '{"id":"a\\"b","prompt":"a"}',
      '{"id":"a\\\\","prompt":"a"}',
      '{"id":"\\u0074\\u0031","prompt":"a"}',
      '{"id":"é ü","prompt":"a"}',
      '{"id":"a\uD800","prompt":"a"}', // a lone surrogate held raw (not from a UTF-8 file, but from a caller)
      '{"id":12345678901234567891,"prompt":"a"}',
      '{"id":1e2,"prompt":"a"}',
      '{ "id": "t1", "prompt": "a" }',
      '{"prompt":"a","id":"t1"}',
      '{"id":"","prompt":"a"}',
      '{"id":"t1","input":{"messages":[{"role":"user","content":"a"}],"id":"inner"}}',
    ];
    for (const [index, text] of lines.entries()) {
      const item = parseItemLine(text, index + 1);
      expect('error' in item ? item.error : { id: item.id, idKey: item.idKey, rawId: item.rawId }, text).toEqual(
        scanned(text),
      );
    }
  });
});
