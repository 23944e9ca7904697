import { AbortedError, mayHaveBeenBilled, ProviderError, TimeoutError } from '../errors/index.js';
import { abortableSleep } from '../common/abortable-sleep.js';
import { onAbort } from '../common/on-abort.js';
import type { AbortWatch } from '../common/abort-watch.js';
import { type Expiring, leaseTimer, releaseTimer } from '../common/timer-lease.js';

export interface RetryOptions {
  /** Retries after the first call. @default 2 */
  maxRetries: number;
  /** Per-call timeout. @default 60000 */
  timeoutMs: number;
  /** First backoff delay, doubled on each retry. @default 500 */
  baseDelayMs: number;
  /** Longest backoff delay. @default 8000 */
  maxDelayMs: number;
  /** A `retry-after` longer than this is cut to it, so one server cannot stall a batch. @default 30000 */
  maxRetryAfterMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  maxRetries: 2,
  timeoutMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

export interface RetryOutcome<T> {
  value: T;
  retries: number;
  /** Failed tries that may still have been billed (timed out, or answered cut or malformed). */
  possiblyBilledTries: number;
}

/** Thrown when every try failed; carries the last error and how many retries were spent. */
export class RetriesExhaustedError extends Error {
  override name = 'RetriesExhaustedError' as const;
  constructor(
    readonly lastError: unknown,
    readonly retries: number,
    /** Tries, the last included, that may still have been billed. */
    readonly possiblyBilledTries = 0,
  ) {
    super(lastError instanceof Error ? lastError.message : String(lastError), { cause: lastError });
  }
}

/**
 * The one retry policy of the library (SDK retries are off). Each try gets its own timeout, and an
 * abort signal combining it with the caller's when the call asks for one. Retryable failures wait for
 * `retry-after` (capped) or an exponential backoff with jitter, then try again.
 */
export async function callWithRetries<T>(
  /**
   * One try, given its abort (its timeout, or the caller's): `signal` is made when first read, and the
   * AbortWatch gives the same abort without one.
   */
  call: (attempt: TryAttempt) => Promise<T>,
  options: RetryOptions,
  callerSignal?: AbortSignal,
  beforeRetry?: (error: unknown) => Promise<boolean>,
): Promise<RetryOutcome<T>> {
  let possiblyBilledTries = 0;
  for (let attempt = 0; ; attempt++) {
    if (callerSignal?.aborted) throw new AbortedError();
    // Each try has its own timeout, released when the try ends. (AbortSignal.any on a long-lived caller
    // signal, and AbortSignal.timeout's pending timers, would keep every try's signal alive: a leak over
    // a batch.) The try is awaited here, not in a function of its own: one suspended frame less for each
    // call in flight.
    const tryAbort = new TryAbort();
    const timer = leaseTimer(options.timeoutMs, tryAbort);
    const stopListening = callerSignal && onAbort(callerSignal, () => tryAbort.abort());
    let error: unknown;
    try {
      const value = await tryAbort.settled(call(tryAbort));
      return { value, retries: attempt, possiblyBilledTries };
    } catch (caught) {
      if (callerSignal?.aborted) throw new AbortedError();
      error = tryAbort.timedOut ? new TimeoutError(options.timeoutMs) : caught;
    } finally {
      releaseTimer(timer);
      stopListening?.();
    }
    if (mayHaveBeenBilled(error)) possiblyBilledTries++;
    if (!(error instanceof ProviderError && error.isRetryable) || attempt >= options.maxRetries) {
      throw new RetriesExhaustedError(error, attempt, possiblyBilledTries);
    }
    if (beforeRetry && !(await beforeRetry(error)))
      throw new RetriesExhaustedError(error, attempt, possiblyBilledTries);
    await abortableSleep(retryDelayMs(error, attempt, options), callerSignal);
  }
}

/** A try's abort as a try sees it: an AbortWatch, and an AbortSignal made when first read. */
export interface TryAttempt extends AbortWatch {
  readonly signal: AbortSignal;
}

/**
 * One try's abort (its timeout, or the caller's). Its signal is made only when read: a provider that
 * answers from memory reads neither it nor the watch, and an AbortController with its listeners was a
 * quarter of the engine's own time per item (bench/engine-overhead). The state lives in this one object
 * rather than in closures, which each try in flight kept through its wait.
 */
class TryAbort implements TryAttempt, Expiring {
  aborted = false;
  timedOut = false;
  /** Ends the try's wait when it aborts, whatever the call does. */
  abandon: ((reason: unknown) => void) | undefined;
  private controller: AbortController | undefined;
  private listeners: (() => void)[] | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  watch(listener: () => void): () => void {
    if (this.aborted) return () => undefined;
    this.listeners ??= [];
    const listeners = this.listeners;
    listeners.push(listener);
    return () => {
      const at = listeners.indexOf(listener);
      if (at !== -1) listeners.splice(at, 1);
    };
  }

  /**
   * `pending`, or an error as soon as the try aborts: the try ends at its timeout even when the call
   * ignores its signal (a provider or gate that never settles), and the call is left to its own devices.
   */
  settled<T>(pending: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.abandon = reject;
      if (this.aborted) reject(new Error('aborted'));
      pending.then(resolve, reject);
    });
  }

  /** The try's timeout ran out. */
  expire(): void {
    this.timedOut = true;
    this.abort();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    try {
      this.controller?.abort();
      for (const listener of this.listeners?.splice(0) ?? []) listener();
    } finally {
      // The try's wait ends whatever a watcher did.
      this.abandon?.(new Error('aborted'));
    }
  }
}

/** `retry-after` when the server sent one (capped), else exponential backoff with up to 25% jitter. */
export function retryDelayMs(error: ProviderError, attempt: number, options: RetryOptions): number {
  if (error.retryAfterMs !== undefined && error.retryAfterMs >= 0) {
    return Math.min(error.retryAfterMs, options.maxRetryAfterMs);
  }
  const exponential = Math.min(options.baseDelayMs * 2 ** attempt, options.maxDelayMs);
  return exponential * (1 - Math.random() * 0.25);
}
