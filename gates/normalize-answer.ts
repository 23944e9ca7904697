import { createRequire } from 'node:module';
import type { LRUCache } from 'lru-cache';
import { canonicalJson } from '../src/common/canonical-json.js';
import { withoutStatedConfidence } from './stated-confidence.js';

const require = createRequire(import.meta.url);

/**
 * How two answers are compared: `letter` (the choice letter, A-J), `number` (the final number),
 * `text` (trimmed, case- and space-folded), `json` (parsed and canonicalised), or `auto`.
 */
export type AnswerComparison = 'auto' | 'letter' | 'number' | 'text' | 'json';

const choiceLetter = /^\s*(?:\(?([A-J])\)?[.):]?)\s*$|(?:answer|choice)\s*(?:is|:)?\s*\(?([A-J])\b/i;

/** The final number of a worked answer: after `####` when present, else the last number. */
export function finalNumber(text: string): number | undefined {
  const marked = /####\s*\$?\s*(-?[\d,]*\.?\d+)/.exec(text);
  const raw = marked?.[1] ?? text.match(/-?\d[\d,]*\.?\d*|-?\.\d+/g)?.at(-1);
  if (raw === undefined) return undefined;
  const value = Number(raw.replace(/,/g, '').replace(/\.$/, ''));
  return Number.isFinite(value) ? value : undefined;
}

export function choiceOf(text: string): string | undefined {
  const match = choiceLetter.exec(text);
  const letter = match?.[1] ?? match?.[2];
  return letter?.toUpperCase();
}

/** A canonical form of an answer under a comparison, or undefined when it has none (no number found, say). */
export function normalizeAnswer(text: string, comparison: AnswerComparison): string | undefined {
  switch (comparison) {
    case 'letter':
      return choiceOf(text);
    case 'number': {
      const value = finalNumber(text);
      return value === undefined ? undefined : String(value);
    }
    case 'json':
      try {
        return canonicalJson(JSON.parse(text.trim()));
      } catch {
        return undefined;
      }
    case 'text':
      return text.trim().toLowerCase().replace(/\s+/g, ' ');
    case 'auto':
      return choiceOf(text) !== undefined && text.trim().length <= 12
        ? choiceOf(text)
        : /####/.test(text)
          ? normalizeAnswer(text, 'number')
          : normalizeAnswer(text, 'text');
  }
}

// Tuning compares the same recorded answers again for every pair of tiers, fold and search; their
// canonical forms are memoised (bounded, so a long-running process holds at most this many).
const canonicalForms = new Map<AnswerComparison, LRUCache<string, { form: string | undefined }>>();

/** The canonical form of an answer with any stated-confidence line removed, memoised per comparison. */
function canonicalAnswer(text: string, comparison: AnswerComparison): string | undefined {
  let forms = canonicalForms.get(comparison);
  if (!forms) {
    // Loaded by the first comparison, not with the library.
    const { LRUCache: Cache } = require('lru-cache') as typeof import('lru-cache');
    forms = new Cache({ max: 50_000 });
    canonicalForms.set(comparison, forms);
  }
  let entry = forms.get(text);
  if (!entry) {
    entry = { form: normalizeAnswer(withoutStatedConfidence(text), comparison) };
    forms.set(text, entry);
  }
  return entry.form;
}

/** Whether two answers say the same under the comparison; answers without a canonical form never agree. */
export function answersAgree(a: string, b: string, comparison: AnswerComparison): boolean {
  // A stated "Confidence: 0.9" line is not part of the answer, whether or not a gate stripped it yet.
  const left = canonicalAnswer(a, comparison);
  return left !== undefined && left === canonicalAnswer(b, comparison);
}
