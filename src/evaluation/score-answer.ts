import { normalizeAnswer, type AnswerComparison } from '../../gates/normalize-answer.js';

export type ScoreComparison = AnswerComparison | 'exact';

/** A user's scorer module's default export: the quality of `text` against `expected`, in [0,1]. */
export type Scorer = (text: string, expected: unknown, item: { id: string }) => number;

/**
 * Quality from comparing the answer with the reference: `exact`, or equality under a normalisation.
 * `auto` compares choice letters when the reference is one, final numbers when it is a number,
 * and folded text otherwise.
 */
export function scoreAgainstExpected(text: string, expected: unknown, comparison: ScoreComparison): number {
  const reference = typeof expected === 'string' ? expected : JSON.stringify(expected);
  if (comparison === 'exact') return text === reference ? 1 : 0;
  let mode: AnswerComparison = comparison;
  if (mode === 'auto') {
    if (/^\s*[A-J]\s*$/i.test(reference)) mode = 'letter';
    else if (typeof expected === 'number' || /^\s*-?[\d,]*\.?\d+\s*$/.test(reference)) mode = 'number';
    else if (typeof expected === 'object' && expected !== null) mode = 'json';
    else mode = 'text';
  }
  const answer = normalizeAnswer(text, mode);
  return answer !== undefined && answer === normalizeAnswer(reference, mode) ? 1 : 0;
}
