import type { ChatMessage } from '../src/spec/request.js';
import { answersAgree, choiceOf, finalNumber, type AnswerComparison } from './normalize-answer.js';
import { withoutStatedConfidence } from './stated-confidence.js';

/** What the learned gate looks at. No model download: cheap signals FrugalGPT's scorer also relies on. */
export const learnedFeatureNames = [
  'confidence',
  'hasConfidence',
  'agreesWithPrevious',
  'hasPrevious',
  'logAnswerChars',
  'logQuestionChars',
  'answerIsChoice',
  'answerHasNumber',
] as const;

export interface FeatureInput {
  answer: string;
  confidence?: number | undefined;
  /** The previous tier's answer, when there was one. */
  previous?: string | undefined;
  messages: readonly ChatMessage[];
  comparison: AnswerComparison;
}

export function questionChars(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += message.content.length;
  return total;
}

export function learnedFeatures(input: FeatureInput, questionLength = questionChars(input.messages)): number[] {
  const hasConfidence = input.confidence !== undefined && Number.isFinite(input.confidence);
  // The same answer whether or not a confidence gate has stripped its stated confidence line yet.
  const answer = withoutStatedConfidence(input.answer);
  return [
    hasConfidence ? input.confidence! : 0,
    hasConfidence ? 1 : 0,
    input.previous !== undefined && answersAgree(input.answer, input.previous, input.comparison) ? 1 : 0,
    input.previous !== undefined ? 1 : 0,
    Math.log1p(answer.length),
    Math.log1p(questionLength),
    choiceOf(answer) !== undefined && answer.trim().length <= 12 ? 1 : 0,
    finalNumber(answer) !== undefined ? 1 : 0,
  ];
}
