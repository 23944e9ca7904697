import type { Gate, GateInput, GateVerdict } from '../src/spec/gate.js';
import { answersAgree, type AnswerComparison } from './normalize-answer.js';

export interface AgreementGateOptions {
  /** How answers are compared. @default 'auto' */
  compare?: AnswerComparison;
}

/**
 * Accepts a tier's answer when it agrees with the previous tier's answer: two models that reach the
 * same answer independently are right far more often than either alone. Fails on the first tier.
 */
export function createAgreementGate(options: AgreementGateOptions = {}): Gate {
  const comparison = options.compare ?? 'auto';
  return {
    specificationVersion: 'v1',
    name: 'agreement',
    costRank: 1,
    async check(input: GateInput): Promise<GateVerdict> {
      const previous = input.earlier.at(-1);
      if (!previous) return { pass: false, score: 0, reason: 'no earlier answer to agree with' };
      const agree = answersAgree(input.text, previous.text, comparison);
      return {
        pass: agree,
        score: agree ? 1 : 0,
        reason: `${agree ? 'agrees' : 'disagrees'} with ${previous.tier} (${previous.model}), compared as ${comparison}`,
      };
    },
  };
}
