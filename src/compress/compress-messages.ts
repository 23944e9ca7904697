import type { CompressStep } from '../spec/compress-step.js';
import type { ChatMessage } from '../spec/request.js';
import { countMessageTokens } from '../tokens/count-tokens.js';
import { dropRepeats } from './dedupe.js';
import { extractRelevant } from './extract.js';
import { pruneExamples } from './few-shot.js';
import { joinSegments, splitOffQuestion, splitSegments, type Segment } from './segments.js';
import { normalizeWhitespace } from './whitespace.js';

export interface Compressed {
  messages: ChatMessage[];
  tokensBefore: number;
  tokensAfter: number;
}

/**
 * Apply the steps, in order, to every message. Protected spans (code blocks, JSON, `<keep>` regions)
 * and the question (the last paragraph of the last user message) are never changed.
 */
export function compressText(messages: readonly ChatMessage[], steps: readonly CompressStep[]): ChatMessage[] {
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  const parts: Segment[][] = messages.map((message, index) => {
    const segments = splitSegments(message.content);
    return index === lastUser ? splitOffQuestion(segments) : segments;
  });
  const question =
    lastUser === -1 ? '' : joinSegments(parts[lastUser]!.filter((segment) => segment.protected).slice(-1));
  for (const step of steps) {
    // Dedupe remembers across messages: an instruction repeated in the user turn goes.
    const seen = new Set<string>();
    parts.forEach((segments, index) => {
      // Extraction keeps what bears on the question: right for context a user sends, not for instructions.
      if (step.type === 'extract' && messages[index]!.role !== 'user') return;
      for (const segment of segments) {
        if (segment.protected) continue;
        segment.text = applyStep(step, segment.text, question, seen);
      }
    });
  }
  return messages.map((message, index) => ({ role: message.role, content: joinSegments(parts[index]!) }));
}

function applyStep(step: CompressStep, text: string, question: string, seen: Set<string>): string {
  if (step.type === 'whitespace') return normalizeWhitespace(text, step.markup);
  // The other steps work on the words; the whitespace around a segment joins it to its neighbours.
  const [, before, body, after] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  if (body === '') return text;
  const changed =
    step.type === 'dedupe'
      ? dropRepeats(body!, seen)
      : step.type === 'few-shot'
        ? pruneExamples(body!, question, step.keep)
        : extractRelevant(body!, question, step.maxTokens);
  return `${before}${changed.trim()}${after}`;
}

// Tiers sharing one list of steps compress an item once.
const memo = new WeakMap<readonly ChatMessage[], Map<readonly CompressStep[], Compressed>>();

/** The messages compressed, with their tokens before and after (o200k). Memoised per messages and steps. */
export function compressMessages(messages: readonly ChatMessage[], steps: readonly CompressStep[]): Compressed {
  let bySteps = memo.get(messages);
  const known = bySteps?.get(steps);
  if (known) return known;
  const compressed = compressText(messages, steps);
  const changed = compressed.some((message, index) => message.content !== messages[index]!.content);
  const tokensBefore = countMessageTokens(messages);
  const result = {
    messages: changed ? compressed : [...messages],
    tokensBefore,
    tokensAfter: changed ? countMessageTokens(compressed) : tokensBefore,
  };
  if (!bySteps) {
    bySteps = new Map();
    memo.set(messages, bySteps);
  }
  bySteps.set(steps, result);
  return result;
}
