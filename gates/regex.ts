import { createRequire } from 'node:module';
import type { RE2JS as Engine } from 're2js';
import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';
import { javaScriptEquivalent } from './javascript-equivalent.js';

const require = createRequire(import.meta.url);

export interface RegexGateOptions {
  pattern: string;
  flags?: string;
  /** Pass when the pattern does not match. @default false */
  negate?: boolean;
}

/** Compiled patterns by flags and source: the tiers of a cascade often share a gate's pattern. */
const compiled = new Map<string, Engine>();
/** Patterns kept compiled at most: a process that builds gates from ever new patterns does not grow for ever. */
const compiledKept = 256;

/**
 * The pattern on RE2 (re2js, a JavaScript port): matching takes time linear in the answer, so a
 * pattern such as `^(a+)+$` from a cascade file cannot hang the process on a hostile answer, as it does
 * on JavaScript's backtracking engine. RE2 has no backreferences or lookaround; such a pattern is
 * refused when the cascade loads. A pattern that cannot backtrack and means the same on both
 * engines (`^[A-D]$`, plain words) runs on JavaScript's (see `javaScriptEquivalent`). Flags: `i`, `m`,
 * `s`; `g`, `y`, `d`, `u`, `v` change nothing for a test.
 */
export function createRegexGate(options: RegexGateOptions): Gate {
  const flagsText = options.flags ?? '';
  const negate = options.negate ?? false;
  const shown = `/${options.pattern}/${flagsText.replace(/[gy]/g, '')}`;
  const matchesReason = `matches ${shown}`;
  const missesReason = `does not match ${shown}`;
  const simple = javaScriptEquivalent(options.pattern, flagsText);
  const matches = simple ? (text: string) => simple.test(text) : engineMatcher(options.pattern, flagsText);
  return {
    specificationVersion: 'v1',
    name: 'regex',
    costRank: 1,
    async check(input: GateInput): Promise<GateVerdict> {
      const matched = matches(input.text);
      return { pass: matched !== negate, score: matched ? 1 : 0, reason: matched ? matchesReason : missesReason };
    },
  };
}

function engineMatcher(source: string, flagsText: string): (text: string) => boolean {
  // Loaded by the first regex gate that needs it, not with the library.
  const { RE2JS } = require('re2js') as typeof import('re2js');
  let flags = 0;
  if (flagsText.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (flagsText.includes('m')) flags |= RE2JS.MULTILINE;
  if (flagsText.includes('s')) flags |= RE2JS.DOTALL;
  const key = `${flags}/${source}`;
  let pattern = compiled.get(key);
  if (!pattern) {
    try {
      pattern = RE2JS.compile(RE2JS.translateRegExp(source), flags);
    } catch (error) {
      throw new SyntaxError(
        `${(error as Error).message} (regex gates run on RE2, which matches in linear time and has no backreferences or lookaround)`,
      );
    }
    if (compiled.size >= compiledKept) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, pattern);
  }
  const engine = pattern;
  return (text) => engine.test(text);
}
