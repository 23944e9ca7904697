import { AbortedError } from '../errors/index.js';
import { onAbort } from '../common/on-abort.js';
import type { SharedBudget } from '../spec/budget.js';

interface Waiter {
  amount: number;
  resolve: (reserved: boolean) => void;
}

/**
 * A spending limit shared by every item of a run. Before a call, the engine reserves that call's
 * worst-case cost; afterwards it settles the reservation against what was really spent. However
 * many calls run at once, reserved plus spent never passes the limit, so neither does spending.
 *
 * A reservation that does not fit now waits for the calls in flight to settle (most spend far less than
 * their worst case) instead of failing: it is refused only when, with nothing in flight, what is left
 * cannot cover it. Otherwise a run at high concurrency would stop most of its items for budget with
 * most of the budget unspent.
 */
export class RunBudget implements SharedBudget {
  private spentUsd: number;
  private reservedUsd = 0;
  private readonly waiters: Waiter[] = [];

  /** `alreadySpentUsd`: what earlier runs of the same job spent (a resumed run carries it on). */
  constructor(
    readonly limitUsd: number,
    alreadySpentUsd = 0,
  ) {
    if (!(limitUsd >= 0))
      throw new RangeError(`Expected \`budgetUsd\` to be a number of at least 0, got \`${limitUsd}\``);
    this.spentUsd = Number.isFinite(alreadySpentUsd) && alreadySpentUsd > 0 ? alreadySpentUsd : 0;
  }

  /** Hold `amount` for a call if it fits now; false when it does not. */
  reserve(amount: number): boolean {
    if (!this.fits(amount)) return false;
    this.reservedUsd += amount;
    return true;
  }

  /**
   * Hold `amount` for a call, waiting for calls in flight to settle when it does not fit yet. Resolves
   * false only when it can no longer fit: nothing is in flight and what is left is less than `amount`.
   */
  async reserveWhenPossible(amount: number, signal?: AbortSignal): Promise<boolean> {
    if (this.reserve(amount)) return true;
    if (!this.mayFitLater(amount)) return false;
    return new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = {
        amount,
        resolve: (reserved) => {
          stopListening?.();
          resolve(reserved);
        },
      };
      let stopListening: (() => void) | undefined;
      const abort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new AbortedError());
      };
      if (signal?.aborted) return abort();
      if (signal) stopListening = onAbort(signal, abort);
      this.waiters.push(waiter);
    });
  }

  /** Release a reservation and record what the call actually cost (a non-finite or negative cost counts the reservation). */
  settle(reserved: number, actual: number): void {
    this.reservedUsd = Math.max(0, this.reservedUsd - reserved);
    this.spentUsd += Number.isFinite(actual) && actual >= 0 ? actual : reserved;
    this.wakeWaiters();
  }

  /** Record spending that had no reservation (an embedding for the cache). */
  charge(amount: number): void {
    if (Number.isFinite(amount) && amount > 0) this.spentUsd += amount;
    this.wakeWaiters();
  }

  get spent(): number {
    return this.spentUsd;
  }

  get remaining(): number {
    return Math.max(0, this.limitUsd - this.spentUsd - this.reservedUsd);
  }

  private fits(amount: number): boolean {
    return this.spentUsd + this.reservedUsd + amount <= this.limitUsd + 1e-15;
  }

  /** Spending only grows, so an amount over what is unspent can never fit; otherwise settling may free room. */
  private mayFitLater(amount: number): boolean {
    return this.reservedUsd > 0 && this.spentUsd + amount <= this.limitUsd + 1e-15;
  }

  /** Give room to the waiters that fit now, in arrival order; refuse those that never can. */
  private wakeWaiters(): void {
    for (let index = 0; index < this.waiters.length; ) {
      const waiter = this.waiters[index]!;
      if (this.reserve(waiter.amount)) {
        this.waiters.splice(index, 1);
        waiter.resolve(true);
      } else if (!this.mayFitLater(waiter.amount)) {
        this.waiters.splice(index, 1);
        waiter.resolve(false);
      } else {
        index++;
      }
    }
  }
}
