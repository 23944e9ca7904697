import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';

// The bar is loaded only on a terminal.
const require = createRequire(import.meta.url);

export interface ProgressFigures {
  done: number;
  costUsd: number;
  escalated: number;
  errors: number;
}

/** A bar on a terminal, a plain line every few seconds otherwise (logs, CI). */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly started = performance.now();
  /** The first line is due an interval after the run starts (not after the process did: a library's may be old). */
  private lastLine = this.started;
  /** Counts the total when the first line that could use it is due (see `countWhenDue`). */
  private counter: (() => Promise<number | undefined>) | undefined;

  constructor(
    private readonly write: (text: string) => void,
    isTerminal: boolean,
    private total: number | undefined,
    private readonly intervalMs = 5000,
  ) {
    if (isTerminal && total !== undefined) {
      const bars = require('cli-progress') as typeof cliProgress;
      this.bar = new bars.SingleBar(
        {
          format:
            '{bar} {value}/{total} items | ${cost} | escalated {escalation}% | errors {errors} | ETA {eta_formatted}',
          stream: process.stderr,
          hideCursor: true,
        },
        bars.Presets.shades_classic,
      );
      this.bar.start(total, 0, { cost: '0.0000', escalation: 0, errors: 0 });
    }
  }

  /** The total, when none is known yet (a bar is made with its own). */
  settleTotal(total: number | undefined): void {
    if (!this.bar) this.total ??= total;
  }

  /**
   * Without a total, count it with `count` when the first periodic line is due: a run shorter than the
   * interval never reads its input twice, and a longer one shows an ETA from its second line on.
   */
  countWhenDue(count: () => Promise<number | undefined>): void {
    this.counter = count;
  }

  update(figures: ProgressFigures, final = false): void {
    const escalation = figures.done === 0 ? 0 : Math.round((100 * figures.escalated) / figures.done);
    if (this.bar) {
      this.bar.update(figures.done, { cost: figures.costUsd.toFixed(4), escalation, errors: figures.errors });
      if (final) this.bar.stop();
      return;
    }
    const now = performance.now();
    if (!final && now - this.lastLine < this.intervalMs) return;
    this.lastLine = now;
    const count = this.counter;
    if (count && this.total === undefined && !final) {
      this.counter = undefined;
      count().then(
        (total) => (this.total ??= total),
        // Without a total the lines go on without an ETA.
        () => undefined,
      );
    }
    const elapsed = (now - this.started) / 1000;
    const eta =
      this.total !== undefined && figures.done > 0
        ? ` ETA ${Math.max(0, Math.round((elapsed / figures.done) * (this.total - figures.done)))} s,`
        : '';
    this.write(
      `progress: ${figures.done}${this.total !== undefined ? `/${this.total}` : ''} items,${eta} $${figures.costUsd.toFixed(6)}, escalated ${escalation}%, errors ${figures.errors}\n`,
    );
  }
}
