import { AbortedError, mayHaveBeenBilled, ProviderError, TimeoutError } from '../errors/index.js';
import { abortableSleep } from '../common/abortable-sleep.js';
import { onAbort } from '../common/on-abort.js';
import type { TryAttempt } from '../common/abort-watch.js';
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

/** What the caller makes of the answer of the try that gave one, with the retries it took. */
export type FinishTries<T, R> = (value: T, retries: number, possiblyBilledTries: number) => R;

const asOutcome = <T>(value: T, retries: number, possiblyBilledTries: number): RetryOutcome<T> => ({
  value,
  retries,
  possiblyBilledTries,
});

/**
 * The one retry policy of the library (SDK retries are off). Each try gets its own timeout, and an
 * abort signal combining it with the caller's when the call asks for one. Retryable failures wait for
 * `retry-after` (capped) or an exponential backoff with jitter, then try again. `finish` makes the
 * result from the answer as its try settles (by default a `RetryOutcome`).
 *
 * Not an async function: the first try's answer settles the returned promise directly. Its suspended
 * frame and the caller's (the retry middleware's) were two of the waits each call added to an answer
 * (bench/engine-overhead); only a try that fails enters the loop of `retryAfter`.
 */
export function callWithRetries<T, R = RetryOutcome<T>>(
  /**
   * One try, given its abort (its timeout, or the caller's): `signal` is made when first read, and the
   * AbortWatch gives the same abort without one.
   */
  call: (attempt: TryAttempt) => Promise<T>,
  options: RetryOptions,
  callerSignal?: AbortSignal,
  beforeRetry?: (error: unknown) => Promise<boolean>,
  finish: FinishTries<T, R> = asOutcome as FinishTries<T, R>,
): Promise<R> {
  if (callerSignal?.aborted) return Promise.reject(new AbortedError());
  return tryOnce(
    call,
    options,
    callerSignal,
    (value) => finish(value, 0, 0),
    (error) => retryAfter(error, call, options, callerSignal, beforeRetry, finish),
  );
}

/** The tries after a first that failed with `firstError`, until one answers or retrying ends. */
async function retryAfter<T, R>(
  firstError: unknown,
  call: (attempt: TryAttempt) => Promise<T>,
  options: RetryOptions,
  callerSignal: AbortSignal | undefined,
  beforeRetry: ((error: unknown) => Promise<boolean>) | undefined,
  finish: FinishTries<T, R>,
): Promise<R> {
  let error = firstError;
  let possiblyBilledTries = 0;
  for (let attempt = 0; ; ) {
    if (mayHaveBeenBilled(error)) possiblyBilledTries++;
    if (!(error instanceof ProviderError && error.isRetryable) || attempt >= options.maxRetries) {
      throw new RetriesExhaustedError(error, attempt, possiblyBilledTries);
    }
    if (beforeRetry && !(await beforeRetry(error)))
      throw new RetriesExhaustedError(error, attempt, possiblyBilledTries);
    await abortableSleep(retryDelayMs(error, attempt, options), callerSignal);
    attempt++;
    if (callerSignal?.aborted) throw new AbortedError();
    let value: T;
    try {
      value = await tryOnce(call, options, callerSignal, same, rejected);
    } catch (caught) {
      if (callerSignal?.aborted) throw new AbortedError();
      error = caught;
      continue;
    }
    return finish(value, attempt, possiblyBilledTries);
  }
}

const same = <T>(value: T): T => value;
const rejected = (error: unknown): Promise<never> => Promise.reject(error);

/**
 * One try under its own timeout, released when the try ends. (AbortSignal.any on a long-lived caller
 * signal, and AbortSignal.timeout's pending timers, would keep every try's signal alive: a leak over a
 * batch.) Settles with `onValue` of its answer, or with `onError` of its failure (a TimeoutError when
 * its time ran out); with an AbortedError when the caller aborted. The try ends at its timeout even
 * when the call ignores its signal (a provider that never settles), and the call is left to itself.
 */
function tryOnce<T, R>(
  call: (attempt: TryAttempt) => Promise<T>,
  options: RetryOptions,
  callerSignal: AbortSignal | undefined,
  onValue: (value: T) => R,
  onError: (error: unknown) => R | Promise<R>,
): Promise<R> {
  const tryAbort = new TryAbort();
  const timer = leaseTimer(options.timeoutMs, tryAbort);
  const stopListening = callerSignal && onAbort(callerSignal, () => tryAbort.abort());
  return new Promise<R>((resolve, reject) => {
    let ended = false;
    const end = (): boolean => {
      if (ended) return false;
      ended = true;
      releaseTimer(timer);
      stopListening?.();
      return true;
    };
    const failed = (caught: unknown): void => {
      if (!end()) return;
      if (callerSignal?.aborted) {
        reject(new AbortedError());
        return;
      }
      try {
        resolve(onError(tryAbort.timedOut ? new TimeoutError(options.timeoutMs) : caught));
      } catch (error) {
        reject(error);
      }
    };
    tryAbort.abandon = failed;
    let pending: Promise<T>;
    try {
      // A provider of the user's may answer with a plain value.
      pending = Promise.resolve(call(tryAbort));
    } catch (caught) {
      failed(caught);
      return;
    }
    pending.then((value) => {
      if (!end()) return;
      try {
        resolve(onValue(value));
      } catch (error) {
        reject(error);
      }
    }, failed);
  });
}

export type { TryAttempt } from '../common/abort-watch.js';

/**
 * One try's abort (its timeout, or the caller's). Its signal is made only when read: a provider that
 * answers from memory reads neither it nor the watch, and an AbortController with its listeners was a
 * quarter of the engine's own time per item (bench/engine-overhead). The abort's state lives in this one
 * object; settling the try is tryOnce's.
 */
class TryAbort implements TryAttempt, Expiring {
  aborted = false;
  timedOut = false;
  /** Ends the try's wait when it aborts, whatever the call does (see tryOnce). */
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
