import { createRequire } from 'node:module';
import type { Tiktoken } from 'js-tiktoken/lite';
import type { ChatMessage } from '../spec/request.js';

// Loaded at the first count, not at import: most runs with recorded costs never need a tokenizer.
const require = createRequire(import.meta.url);
let encoder: Tiktoken | undefined;

/** Tokens in `text` with OpenAI's o200k_base encoding (the ranks ship inside the npm package). */
export function countTokens(text: string): number {
  return loadTokenizer().encode(text).length;
}

/**
 * Build the tokenizer now (about 0.5 s and 150 MiB, once per process) rather than in the middle of a
 * batch, when the first budget check that needs it comes.
 */
export function loadTokenizer(): Tiktoken {
  if (!encoder) {
    const { Tiktoken: Encoder } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
    const ranks = require('js-tiktoken/ranks/o200k_base') as { default?: unknown };
    encoder = new Encoder((ranks.default ?? ranks) as ConstructorParameters<typeof Encoder>[0]);
  }
  return encoder;
}

/** Chat formats add a few tokens per message for roles and separators; 4 covers OpenAI's and Anthropic's. */
const perMessageOverhead = 4;

/**
 * Input tokens of a chat request. Other vendors' tokenizers differ from o200k by some percent,
 * so budget checks that need an upper bound apply `inputTokenSafetyFactor` on top.
 */
export function countMessageTokens(messages: readonly ChatMessage[]): number {
  let total = messageOverheadTokens(messages.length);
  for (const message of messages) total += countTokens(message.content);
  return total;
}

/** Tokens a chat format adds around `count` messages. */
export function messageOverheadTokens(count: number): number {
  return 3 + perMessageOverhead * count;
}

/** Margin for tokenizers that split text finer than o200k (Llama's and Claude's run up to ~20% more). */
export const inputTokenSafetyFactor = 1.25;
