import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContainsGate } from '../../gates/contains.js';
import { loadCustomGate } from '../../gates/custom.js';
import { createRegexGate } from '../../gates/regex.js';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/capture-io.js';
import { gateInput } from '../helpers/gate-input.js';
import { tempDir } from '../helpers/replay-fixture.js';

const input = (text: string) => gateInput(text);

describe('regex and contains gates', () => {
  it('regex passes on a match and fails otherwise; negate flips it', async () => {
    const gate = createRegexGate({ pattern: '^[A-D]$' });
    expect((await gate.check(input('B'))).pass).toBe(true);
    expect((await gate.check(input('The answer is B'))).pass).toBe(false);
    expect(
      (await createRegexGate({ pattern: 'as an ai', flags: 'i', negate: true }).check(input('As an AI, I cannot')))
        .pass,
    ).toBe(false);
  });

  it('regex of plain words (looked for as text) gives the verdicts RE2 gives, with and without its flags', async () => {
    const texts = ['because', 'I think A because 7', 'Because', 'becaus', '', 'a because\nb', 'BECAUSE of it'];
    // `(?:because)` is the same pattern, but not plain words, so RE2 matches it.
    for (const flags of [undefined, 'm', 's', 'g', 'i'])
      for (const negate of [false, true])
        for (const text of texts) {
          const plain = await createRegexGate({ pattern: 'because', negate, ...(flags && { flags }) }).check(
            input(text),
          );
          const engine = await createRegexGate({ pattern: '(?:because)', negate, ...(flags && { flags }) }).check(
            input(text),
          );
          expect({ pass: plain.pass, score: plain.score }).toEqual({ pass: engine.pass, score: engine.score });
          expect(plain.reason).toBe(
            `${engine.score ? 'matches' : 'does not match'} /because/${flags === 'g' ? '' : (flags ?? '')}`,
          );
        }
    expect((await createRegexGate({ pattern: 'two words' }).check(input('two  words'))).pass).toBe(false);
  });

  it('regex runs in linear time: a catastrophic pattern on a hostile answer returns at once', async () => {
    // On JavaScript's backtracking engine this pattern on 40 a's and a "!" runs for minutes and ignores signals.
    const gate = createRegexGate({ pattern: '^(a+)+$' });
    expect((await gate.check(input(`${'a'.repeat(40)}!`))).pass).toBe(false);
    expect((await gate.check(input('a'.repeat(40)))).pass).toBe(true);
    expect((await createRegexGate({ pattern: '^line two$', flags: 'm' }).check(input('line one\nline two'))).pass).toBe(
      true,
    );
  });

  it('regex refuses at load what RE2 cannot match in linear time, naming the field', async () => {
    const io = captureIo();
    const folder = tempDir();
    const file = join(folder, 'backref.yaml');
    writeFileSync(
      file,
      'name: x\ntiers:\n  - { name: a, provider: replay, model: a, fixtures: f.jsonl, gates: [{ type: regex, pattern: "(a)\\\\1" }] }\n',
    );
    expect(await runCli(['eval', file, '--fixtures', 'fixtures/demo/recorded.jsonl'], io)).toBe(2);
    expect(io.err()).toContain('tiers[0].gates[0].pattern: not a valid regular expression');
    expect(io.err()).toContain('no backreferences or lookaround');
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
