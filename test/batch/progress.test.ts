import { describe, expect, it, vi } from 'vitest';
import { Progress } from '../../src/batch/progress.js';

const figures = (done: number) => ({ done, costUsd: 0, escalated: 0, errors: 0 });

describe('Progress without a terminal', () => {
  it('counts the total only when the first periodic line is due, and shows it from the next line on', async () => {
    const lines: string[] = [];
    const count = vi.fn(async () => 40);
    // An interval of 0: every update is a line.
    const progress = new Progress((text) => lines.push(text), false, undefined, 0);
    progress.countWhenDue(count);
    progress.update(figures(1));
    expect(count).toHaveBeenCalledTimes(1);
    expect(lines[0]).toMatch(/^progress: 1 items, \$/);
    await Promise.resolve();
    progress.update(figures(2));
    expect(lines[1]).toMatch(/^progress: 2\/40 items, ETA \d+ s,/);
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('never counts in a run shorter than the interval: the last line takes the total it is given', () => {
    const lines: string[] = [];
    const count = vi.fn(async () => 3);
    const progress = new Progress((text) => lines.push(text), false, undefined, 60_000);
    progress.countWhenDue(count);
    progress.update(figures(1));
    progress.update(figures(2));
    progress.settleTotal(3);
    progress.update(figures(3), true);
    expect(count).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.stringMatching(/^progress: 3\/3 items,/)]);
  });

  it('gives its first line an interval after the run starts, however long the process has run', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      // A process (a server, a library's user) that has run for an hour before this run starts.
      vi.advanceTimersByTime(3_600_000);
      const lines: string[] = [];
      const count = vi.fn(async () => 3);
      const progress = new Progress((text) => lines.push(text), false, undefined, 5000);
      progress.countWhenDue(count);
      progress.update(figures(1));
      expect(lines).toEqual([]);
      expect(count).not.toHaveBeenCalled();
      vi.advanceTimersByTime(5000);
      progress.update(figures(2));
      expect(lines).toEqual([expect.stringMatching(/^progress: 2 items,/)]);
      expect(count).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
