import type { ToolCall } from '../spec/tools.js';
import type { OnExhausted } from './tier.js';

/** An answer some tier gave, with how its gates judged it. */
export interface Answer {
  tier: string;
  model: string;
  text: string;
  value?: unknown;
  toolCalls?: ToolCall[];
  accepted: boolean;
  /** Share of the tier's gates that passed. */
  passedShare: number;
  /** Mean of the scores the gates reported. */
  meanScore: number;
}

/**
 * The answer to return when no tier's gates all passed. `accept-last` takes the strongest tier's,
 * `best-score` the one whose gates came closest (then the later tier), `fail` none.
 */
export function chooseAnswer(answers: readonly Answer[], mode: OnExhausted): Answer | undefined {
  if (answers.length === 0 || mode === 'fail') return undefined;
  if (mode === 'accept-last') return answers[answers.length - 1];
  let best = answers[0]!;
  for (const answer of answers) {
    if (
      answer.passedShare > best.passedShare ||
      (answer.passedShare === best.passedShare && answer.meanScore >= best.meanScore)
    ) {
      best = answer;
    }
  }
  return best;
}
