/**
 * The contract of a spending limit shared by the items of a run, whether they run in one process
 * (`RunBudget`) or on many workers (the queue's Redis budget): before a call the engine reserves its
 * worst case, afterwards it settles the reservation against what the call really cost, so reserved plus
 * spent never passes the limit however many calls run at once, on however many machines.
 */
export interface SharedBudget {
  readonly limitUsd: number;
  /** What is left unreserved and unspent, as last known (a shared budget may lag by the calls in flight). */
  readonly remaining: number;
  /** Hold `amount` if it fits now; false when it does not. */
  reserve(amount: number): boolean | Promise<boolean>;
  /** Hold `amount`, waiting for calls in flight to settle; false only when it can no longer fit. */
  reserveWhenPossible(amount: number, signal?: AbortSignal): Promise<boolean>;
  /** Release a reservation and record what the call cost (a non-finite or negative cost counts the reservation). */
  settle(reserved: number, actual: number): void;
  /** Record spending that had no reservation (an embedding for the cache). */
  charge(amount: number): void;
}
