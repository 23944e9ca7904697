import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';

export interface RegexGateOptions {
  pattern: string;
  flags?: string;
  /** Pass when the pattern does not match. @default false */
  negate?: boolean;
}

export function createRegexGate(options: RegexGateOptions): Gate {
  const pattern = new RegExp(options.pattern, (options.flags ?? '').replace(/[gy]/g, ''));
  const negate = options.negate ?? false;
  return {
    specificationVersion: 'v1',
    name: 'regex',
    costRank: 1,
    async check(input: GateInput): Promise<GateVerdict> {
      const matched = pattern.test(input.text);
      const pass = matched !== negate;
      return { pass, score: matched ? 1 : 0, reason: `${matched ? 'matches' : 'does not match'} /${pattern.source}/${pattern.flags}` };
    },
  };
}
