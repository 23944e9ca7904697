/** Where a run, local or queued, reports to, and how it is told to stop. */
export interface RunReporting {
  /** Where progress and notices go. */
  log: (text: string) => void;
  /** Whether `log` is a terminal (a progress bar) or not (plain progress lines). */
  isTerminal: boolean;
  /** Fired once to stop taking items, twice to cancel calls in flight. */
  stopSignal?: { onStop(handler: (count: number) => void): void };
}
