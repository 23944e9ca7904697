/**
 * A spending limit shared by every item of a run. Before a call, the engine reserves that call's
 * worst-case cost; afterwards it settles the reservation against what was really spent. However
 * many calls run at once, reserved plus spent never passes the limit, so neither does spending.
 */
export class RunBudget {
  private spentUsd = 0;
  private reservedUsd = 0;

  constructor(readonly limitUsd: number) {
    if (!(limitUsd >= 0))
      throw new RangeError(`Expected \`budgetUsd\` to be a number of at least 0, got \`${limitUsd}\``);
  }

  /** Hold `amount` for a call; false when it does not fit in what is left. */
  reserve(amount: number): boolean {
    if (this.spentUsd + this.reservedUsd + amount > this.limitUsd + 1e-15) return false;
    this.reservedUsd += amount;
    return true;
  }

  /** Release a reservation and record what the call actually cost. */
  settle(reserved: number, actual: number): void {
    this.reservedUsd = Math.max(0, this.reservedUsd - reserved);
    this.spentUsd += actual;
  }

  get spent(): number {
    return this.spentUsd;
  }

  get remaining(): number {
    return Math.max(0, this.limitUsd - this.spentUsd - this.reservedUsd);
  }
}
