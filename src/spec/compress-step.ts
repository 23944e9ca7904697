/** One prompt compression step, applied in order before a tier's call (the cascade file's `compress`). */
export type CompressStep =
  /** Collapse runs of spaces and blank lines; with `markup`, also drop HTML tags, comments and entities. */
  | { type: 'whitespace'; markup: boolean }
  /** Drop lines and sentences said before. */
  | { type: 'dedupe' }
  /** Keep the `keep` worked examples most like the question. */
  | { type: 'few-shot'; keep: number }
  /** Keep the sentences of long context most relevant to the question, within `maxTokens`. */
  | { type: 'extract'; maxTokens: number };
