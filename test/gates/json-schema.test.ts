import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJsonSchemaGate } from '../../gates/json-schema.js';
import { gateInput } from '../helpers/gate-input.js';

const schema = {
  type: 'object',
  properties: { label: { enum: ['spam', 'ham'] } },
  required: ['label'],
  additionalProperties: false,
};
const input = (text: string) => gateInput(text, { prompt: 'classify' });

describe('json-schema gate', () => {
  it('passes valid JSON and returns the parsed value', async () => {
    const verdict = await createJsonSchemaGate({ schema }).check(input('{"label":"spam"}'));
    expect(verdict).toMatchObject({ pass: true, value: { label: 'spam' } });
  });

  it('finds JSON inside a code fence and inside prose', async () => {
    const gate = createJsonSchemaGate({ schema });
    expect((await gate.check(input('Sure:\n```json\n{"label": "ham"}\n```\nDone.'))).value).toEqual({ label: 'ham' });
    expect((await gate.check(input('The answer is {"label": "ham"} as requested.'))).value).toEqual({ label: 'ham' });
  });

  it('fails JSON that breaks the schema, naming where', async () => {
    const verdict = await createJsonSchemaGate({ schema }).check(input('{"label":"eggs"}'));
    expect(verdict.pass).toBe(false);
    expect(verdict.reason).toContain('/label');
  });

  it('fails an answer with no JSON at all', async () => {
    const verdict = await createJsonSchemaGate({ schema }).check(input('I think it is spam.'));
    expect(verdict).toMatchObject({ pass: false, reason: 'the answer holds no JSON' });
  });

  it('takes a zod schema and puts the JSON schema on the request for structured output', async () => {
    const gate = createJsonSchemaGate({ schema: z.object({ label: z.enum(['spam', 'ham']) }) });
    expect((await gate.check(input('{"label":"ham"}'))).pass).toBe(true);
    expect((await gate.check(input('{"label":"ham","extra":1}'))).pass).toBe(false);
    const prepared = gate.prepareRequest!({ messages: [] });
    expect(prepared.outputSchema).toMatchObject({ type: 'object', required: ['label'] });
  });

  it('is broken, not failing, when the schema itself does not compile', () => {
    expect(() => createJsonSchemaGate({ schema: { type: 'no-such-type' } })).toThrow(/does not compile/);
  });
});

describe('finding JSON in an answer', () => {
  it('finds it in prose, fences and nested spans, past brackets in quoted prose', async () => {
    const { extractJson } = await import('../../gates/extract-json.js');
    expect(extractJson('x {"a": "}"} y')).toEqual({ value: { a: '}' } });
    expect(extractJson('{ junk {"a":1}')).toEqual({ value: { a: 1 } });
    expect(extractJson('{not json {"b":[1,2]}}')).toEqual({ value: { b: [1, 2] } });
    expect(extractJson('say "hi {" then {"c":3}')).toEqual({ value: { c: 3 } });
    expect(extractJson('no json here')).toBeUndefined();
  });

  it('gives up on a megabyte of unbalanced brackets in one pass (the old search was quadratic: 70 s for 100 KB)', async () => {
    const { extractJson } = await import('../../gates/extract-json.js');
    expect(extractJson('{'.repeat(1_000_000))).toBeUndefined();
    expect(extractJson('"{'.repeat(500_000))).toBeUndefined();
  });
});
