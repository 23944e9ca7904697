export interface CircuitBreakerOptions {
  /** Consecutive failed attempts (retries spent) that open the circuit. @default 3 */
  failureThreshold: number;
  /** How long an open circuit skips the tier before one trial call is let through. @default 30000 */
  cooldownMs: number;
}

export const defaultCircuitBreakerOptions: CircuitBreakerOptions = { failureThreshold: 3, cooldownMs: 30_000 };

/**
 * Skips a tier that keeps failing, so a provider outage costs each item nothing instead of a full
 * round of retries. After the cool-down one call is let through (half-open); its outcome closes
 * or re-opens the circuit.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a call may go through now. In the half-open state only one call at a time may. */
  allowsCall(): boolean {
    if (this.openedAt === undefined) return true;
    if (this.now() - this.openedAt < this.options.cooldownMs || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /**
   * The call ended in a way that says nothing about the provider's health (a 400, a replay miss, a
   * cancelled call): the circuit stays as it is, but a half-open trial slot is given back, or the next
   * trial would never be let through.
   */
  recordInconclusive(): void {
    this.trialInFlight = false;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  recordFailure(): void {
    this.consecutiveFailures++;
    this.trialInFlight = false;
    if (this.openedAt !== undefined || this.consecutiveFailures >= this.options.failureThreshold) {
      this.openedAt = this.now();
    }
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt < this.options.cooldownMs ? 'open' : 'half-open';
  }
}
