import { createRequire } from 'node:module';
import type { RE2JS as Engine } from 're2js';
import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';

const require = createRequire(import.meta.url);

export interface RegexGateOptions {
  pattern: string;
  flags?: string;
  /** Pass when the pattern does not match. @default false */
  negate?: boolean;
}

/**
 * The pattern on RE2 (re2js, a JavaScript port): matching takes time linear in the answer, so a
 * pattern such as `^(a+)+$` from a cascade file cannot hang the process on a hostile answer, as it does
 * on JavaScript's backtracking engine. RE2 has no backreferences or lookaround; such a pattern is
 * refused when the cascade loads. Flags: `i`, `m`, `s`; `g`, `y`, `d`, `u`, `v` change nothing for a test.
 */
export function createRegexGate(options: RegexGateOptions): Gate {
  // Loaded by the first regex gate, not with the library.
  const { RE2JS } = require('re2js') as typeof import('re2js');
  const flagsText = options.flags ?? '';
  let flags = 0;
  if (flagsText.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (flagsText.includes('m')) flags |= RE2JS.MULTILINE;
  if (flagsText.includes('s')) flags |= RE2JS.DOTALL;
  let pattern: Engine;
  try {
    pattern = RE2JS.compile(RE2JS.translateRegExp(options.pattern), flags);
  } catch (error) {
    throw new SyntaxError(
      `${(error as Error).message} (regex gates run on RE2, which matches in linear time and has no backreferences or lookaround)`,
    );
  }
  const negate = options.negate ?? false;
  const shown = `/${options.pattern}/${flagsText.replace(/[gy]/g, '')}`;
  return {
    specificationVersion: 'v1',
    name: 'regex',
    costRank: 1,
    async check(input: GateInput): Promise<GateVerdict> {
      const matched = pattern.test(input.text);
      const pass = matched !== negate;
      return { pass, score: matched ? 1 : 0, reason: `${matched ? 'matches' : 'does not match'} ${shown}` };
    },
  };
}
