import type { SourceOptions } from './source-options.js';

/** The flags of `cascade run`, as commander gives them. */
export interface RunOptions extends SourceOptions {
  input: string;
  output: string;
  concurrency?: string;
  budgetUsd?: string;
  strict?: boolean;
  maxLineBytes?: string;
  /** Start the output afresh instead of resuming it. */
  overwrite?: boolean;
  retryFailed?: boolean;
  redoChanged?: boolean;
  downshift?: boolean;
  deadlineMs?: string;
  /** Write every provider call as fixture records to this file. */
  record?: string;
  /** Share of items (0-1] on which every remaining tier runs too, written as labelled fixtures. */
  explore?: string;
  exploreOut?: string;
  /** A Redis URL: enqueue the items for `cascade worker` processes instead of running them here. */
  queue?: string;
  runId?: string;
  resume?: boolean;
}
