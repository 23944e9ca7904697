import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContainsGate } from '../../gates/contains.js';
import { loadCustomGate } from '../../gates/custom.js';
import { createRegexGate } from '../../gates/regex.js';
import { gateInput } from '../helpers/gate-input.js';
import { tempDir } from '../helpers/replay-fixture.js';

const input = (text: string) => gateInput(text);

describe('regex and contains gates', () => {
  it('regex passes on a match and fails otherwise; negate flips it', async () => {
    const gate = createRegexGate({ pattern: '^[A-D]$' });
    expect((await gate.check(input('B'))).pass).toBe(true);
    expect((await gate.check(input('The answer is B'))).pass).toBe(false);
    expect((await createRegexGate({ pattern: 'as an ai', flags: 'i', negate: true }).check(input('As an AI, I cannot'))).pass).toBe(false);
  });

  it('contains passes when any needle appears, case-insensitively by default', async () => {
    const gate = createContainsGate({ text: ['refund', 'chargeback'] });
    expect(await gate.check(input('Issue a REFUND'))).toMatchObject({ pass: true, reason: 'contains "refund"' });
    expect((await gate.check(input('Close the ticket'))).pass).toBe(false);
    expect((await createContainsGate({ text: 'Refund', caseSensitive: true }).check(input('refund'))).pass).toBe(false);
  });
});

describe('custom gate', () => {
  it('loads a gate factory from a module and passes it the options', async () => {
    const file = join(tempDir(), 'word-limit.mjs');
    writeFileSync(
      file,
      `export default (options) => ({ name: 'word-limit', async check({ text }) { const words = text.split(/\\s+/).length; return { pass: words <= options.max, score: words, reason: words + ' words' }; } });\n`,
    );
    const gate = await loadCustomGate(file, { max: 3 });
    expect(gate.costRank).toBe(5);
    expect(await gate.check(input('one two'))).toMatchObject({ pass: true, score: 2 });
    expect(await gate.check(input('one two three four'))).toMatchObject({ pass: false, score: 4 });
  });

  it('refuses a module that exports no gate', async () => {
    const file = join(tempDir(), 'not-a-gate.mjs');
    writeFileSync(file, 'export default { hello: 1 };\n');
    await expect(loadCustomGate(file)).rejects.toThrow(/must export/);
  });
});
