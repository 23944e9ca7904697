import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContainsGate } from '../../gates/contains.js';
import { loadCustomGate } from '../../gates/custom.js';
import { javaScriptEquivalent } from '../../gates/javascript-equivalent.js';
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

  it('regex patterns run on JavaScript give the verdicts RE2 gives, on every flag and kind of text', async () => {
    const { RE2JS } = createRequire(import.meta.url)('re2js') as typeof import('re2js');
    const onRe2 = (pattern: string, flags: string) =>
      RE2JS.compile(
        RE2JS.translateRegExp(pattern),
        (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) |
          (flags.includes('m') ? RE2JS.MULTILINE : 0) |
          (flags.includes('s') ? RE2JS.DOTALL : 0),
      );
    const patterns = [
      'because',
      '^[A-D]$',
      '^[A-D]',
      '[0-9a-f]$',
      'two words',
      '^$',
      '',
      '\\bcat\\b',
      '\\Bat',
      '^\\d\\w$',
      'yes|no',
      '^(?:yes)$',
      '\\$\\d',
      'a-b/c',
      '^[\u00e9x]$',
      '\u212a',
      '^[^a]$',
      '^.$',
      // Found in review: on JavaScript's engine these matched half of a surrogate pair, or between its halves.
      '[\u4e00-\uffff]',
      '^[ -\uffff][ -\uffff]$',
      '\\B',
      'x|\\B',
      '\\B\\b',
    ];
    const texts = [
      'because',
      'I think A because 7',
      'Because',
      '',
      'A',
      'A\n',
      'B\nC',
      'a because\nb',
      'the cat sat',
      'concat',
      'bat',
      '7x',
      '7\u00e9',
      'yes',
      'no way',
      '$5',
      'a-b/c',
      '\u00e9',
      '\ud83d\ude00',
      'A\ud83d\ude00',
      'k',
      'K',
      '\u212a',
      'ff',
      'a\ud83d\ude00b',
      'emoji \ud83d\udc4d only',
    ];
    let onJavaScript = 0;
    for (const pattern of patterns)
      for (const flags of ['', 'm', 's', 'g', 'i', 'y', 'u', 'gm']) {
        if (javaScriptEquivalent(pattern, flags)) onJavaScript++;
        const engine = onRe2(pattern, flags);
        for (const negate of [false, true]) {
          const gate = createRegexGate({ pattern, negate, ...(flags && { flags }) });
          for (const text of texts) {
            const verdict = await gate.check(input(text));
            const matched = engine.test(text);
            expect({ pattern, flags, text, pass: verdict.pass, score: verdict.score }).toEqual({
              pattern,
              flags,
              text,
              pass: matched !== negate,
              score: matched ? 1 : 0,
            });
            expect(verdict.reason).toBe(
              `${matched ? 'matches' : 'does not match'} /${pattern}/${flags.replace(/[gy]/g, '')}`,
            );
            // Asked again: a RegExp made with `g` would remember where it stopped.
            expect((await gate.check(input(text))).pass).toBe(verdict.pass);
          }
        }
      }
    // Most of these ran on JavaScript's engine, the rest on RE2.
    expect(onJavaScript).toBeGreaterThan(50);
  });

  it('regex patterns that could backtrack or mean other things run on RE2', () => {
    for (const pattern of ['^[A-D]$', 'because', 'yes|no', '[a-c0-9]', '\\bx\\b', '\\(1\\)', 'a b-c'])
      expect(javaScriptEquivalent(pattern, 'gys')).toBeInstanceOf(RegExp);
    expect(javaScriptEquivalent('^[A-D]$', 'g')!.flags).toBe('');
    const refused = [
      'a+',
      'a*',
      'a?',
      'a{2}',
      '(a)',
      '(?:a)',
      '.',
      '\\s',
      '\\S',
      '\\D',
      '\\W',
      '\\1',
      '\\/',
      '[^a]',
      '[]',
      '[a-]',
      '[z-a]',
      '[\\d]',
      '[a',
      ']',
      '}',
      '\\',
      '\ud83d\ude00',
      '[\u3000-\uffff]',
      '\\B',
    ];
    for (const pattern of refused)
      expect({ pattern, simple: javaScriptEquivalent(pattern, '') }).toEqual({ pattern, simple: undefined });
    for (const flags of ['i', 'u', 'v', 'gi']) expect(javaScriptEquivalent('because', flags)).toBeUndefined();
    expect(javaScriptEquivalent('^a$', 'm')).toBeUndefined();
    expect(javaScriptEquivalent('a', 'm')).toBeInstanceOf(RegExp);
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
