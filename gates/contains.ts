import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';

export interface ContainsGateOptions {
  /** Passes when the answer contains any of these. */
  text: string | string[];
  /** @default false */
  caseSensitive?: boolean;
  /** Pass when the answer contains none of them. @default false */
  negate?: boolean;
}

export function createContainsGate(options: ContainsGateOptions): Gate {
  const caseSensitive = options.caseSensitive ?? false;
  const needles = (Array.isArray(options.text) ? options.text : [options.text]).map((needle) =>
    caseSensitive ? needle : needle.toLowerCase(),
  );
  const negate = options.negate ?? false;
  return {
    specificationVersion: 'v1',
    name: 'contains',
    costRank: 1,
    async check(input: GateInput): Promise<GateVerdict> {
      const haystack = caseSensitive ? input.text : input.text.toLowerCase();
      const found = needles.find((needle) => haystack.includes(needle));
      const pass = (found !== undefined) !== negate;
      return {
        pass,
        score: found !== undefined ? 1 : 0,
        reason:
          found !== undefined
            ? `contains "${found}"`
            : `contains none of ${needles.map((needle) => `"${needle}"`).join(', ')}`,
      };
    },
  };
}
