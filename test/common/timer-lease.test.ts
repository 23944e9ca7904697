import { afterEach, describe, expect, it, vi } from 'vitest';
import { leaseTimer, releaseTimer } from '../../src/common/timer-lease.js';

const target = () => ({
  expired: 0,
  expire() {
    this.expired++;
  },
});

describe('leased timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires its target after the duration, not before', () => {
    vi.useFakeTimers();
    const waiting = target();
    const lease = leaseTimer(1000, waiting);
    vi.advanceTimersByTime(999);
    expect(waiting.expired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(waiting.expired).toBe(1);
    releaseTimer(lease);
  });

  it('never expires a released target', () => {
    vi.useFakeTimers();
    const waiting = target();
    const lease = leaseTimer(1000, waiting);
    vi.advanceTimersByTime(600);
    releaseTimer(lease);
    vi.advanceTimersByTime(5000);
    expect(waiting.expired).toBe(0);
  });

  it('counts the whole duration again for the next lease of a released timer', () => {
    vi.useFakeTimers();
    const first = target();
    const lease = leaseTimer(1000, first);
    vi.advanceTimersByTime(600);
    releaseTimer(lease);
    const second = target();
    const again = leaseTimer(1000, second);
    // The same timer, re-armed: the first target's 400 ms left do not cut the second's wait short.
    expect(again).toBe(lease);
    vi.advanceTimersByTime(999);
    expect(first.expired).toBe(0);
    expect(second.expired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(second.expired).toBe(1);
    expect(first.expired).toBe(0);
    releaseTimer(again);
    // Idle, the timer may still fire: into nothing.
    vi.advanceTimersByTime(5000);
    expect(second.expired).toBe(1);
  });

  it('re-arms a timer that already fired', () => {
    vi.useFakeTimers();
    const first = target();
    const lease = leaseTimer(50, first);
    vi.advanceTimersByTime(50);
    expect(first.expired).toBe(1);
    releaseTimer(lease);
    const second = target();
    const again = leaseTimer(50, second);
    expect(again).toBe(lease);
    vi.advanceTimersByTime(50);
    expect(second.expired).toBe(1);
    releaseTimer(again);
  });

  it('keeps the process alive while leased, and not once released', () => {
    const lease = leaseTimer(60_000, target());
    expect(lease.timer.hasRef()).toBe(true);
    releaseTimer(lease);
    expect(lease.timer.hasRef()).toBe(false);
    const again = leaseTimer(60_000, target());
    expect(again.timer.hasRef()).toBe(true);
    releaseTimer(again);
    expect(again.timer.hasRef()).toBe(false);
  });

  it('does not lend a fake timer once real timers are back', async () => {
    vi.useFakeTimers();
    const fake = leaseTimer(5, target());
    releaseTimer(fake);
    vi.useRealTimers();
    // A real 5 ms wait: if the fake timer were lent again, nothing would ever advance it.
    const expired = await new Promise<boolean>((resolve) => {
      const lease = leaseTimer(5, {
        expire() {
          releaseTimer(lease);
          resolve(lease !== fake);
        },
      });
    });
    expect(expired).toBe(true);
  });
});
