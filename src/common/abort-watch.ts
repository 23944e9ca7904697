/**
 * A try's abort as our own transport watches it, without an AbortSignal. Node 20 made each signal for
 * about 10 µs of CPU (a new EventTarget given another prototype), and a signal that lives through a
 * call's wait is moved to the old generation with its listener maps: one signal per HTTP call was a
 * third of a batch's CPU per item at concurrency 256 (bench/batch-throughput: 0.40 against 0.27 ms).
 */
export interface AbortWatch {
  readonly aborted: boolean;
  /** Call `listener` once when the try aborts (never, if it has already); returns what stops watching. */
  watch(listener: () => void): () => void;
}

/**
 * The key under which the retry layer puts a try's AbortWatch on the call options it hands the provider.
 * Set as a non-enumerable property, so a middleware that copies the options (and may give them a signal
 * of its own) leaves it behind: a provider that finds it reads the very object the try made.
 */
export const abortWatchKey = Symbol('abortWatch');

/** A fetch's init that may carry a try's AbortWatch instead of a signal (our own fetch reads it). */
export type WatchedRequestInit = RequestInit & { [abortWatchKey]?: AbortWatch };

/** The try's AbortWatch on `options`, when the retry layer put one there; else undefined. */
export function abortWatchOf(options: object): AbortWatch | undefined {
  // Its own: an object made with the options as its prototype (and a signal of its own) does not have it.
  return Object.hasOwn(options, abortWatchKey)
    ? (options as { [abortWatchKey]: AbortWatch })[abortWatchKey]
    : undefined;
}

/** Put `watch` on `options` (not enumerable: see abortWatchKey). */
export function attachAbortWatch(options: object, watch: AbortWatch): void {
  Object.defineProperty(options, abortWatchKey, { value: watch });
}
