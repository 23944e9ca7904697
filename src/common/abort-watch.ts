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

/** A try's abort as the retry layer hands it to the try: the watch, and a signal made when first read. */
export interface TryAttempt extends AbortWatch {
  readonly signal: AbortSignal;
}

/**
 * The key under which a fetch's init carries a try's AbortWatch (our own fetch reads it). Set as an
 * ordinary property of an init the provider builds itself.
 */
export const abortWatchKey = Symbol('abortWatch');

/** A fetch's init that may carry a try's AbortWatch instead of a signal (our own fetch reads it). */
export type WatchedRequestInit = RequestInit & { [abortWatchKey]?: AbortWatch };

/**
 * The options one try of a call hands down the stack: the call's own options, and the try's abort as
 * `signal` (made only when a provider reads it) in place of the caller's, which the try's abort follows.
 * `signal` is an own enumerable getter, so a middleware below the retry layer that passes on a copy of
 * the options (`{ ...options }`) passes the try's signal on in it. The try's AbortWatch is a private
 * field, so a copy leaves it behind (the copy's signal may be another's), and giving it cost no second
 * defineProperty per try (each was about 0.15 µs, in bench/engine-overhead's 6 µs per item).
 */
export class TryCallOptions {
  readonly #abort: TryAttempt;
  /** One getter for every try's `signal`: a getter written per object gave each its own hidden class. */
  static readonly #signal: PropertyDescriptor = {
    get(this: object): AbortSignal | undefined {
      // An object made with the options as its prototype reads the signal of the options below it. One
      // that is neither a try's options nor made on them (a proxy of them, a copy of their descriptors)
      // has no try to read it from.
      for (let self: object | null = this; self !== null; self = Object.getPrototypeOf(self) as object | null) {
        if (#abort in self) return self.#abort.signal;
      }
      return undefined;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(options: object, abort: TryAttempt) {
    this.#abort = abort;
    if (Object.hasOwn(options, 'signal')) copyAllButSignal(this, options);
    else Object.assign(this, options);
    Object.defineProperty(this, 'signal', TryCallOptions.#signal);
  }

  /** The try's abort when `options` are a try's own (not a copy, nor an object made on top of them). */
  static abortOf(options: object): AbortWatch | undefined {
    return #abort in options ? options.#abort : undefined;
  }
}

/**
 * What Object.assign copies (own enumerable keys, symbols too) but `signal`: the caller's signal, made a
 * property of its own and then redefined as the try's getter, turned each try's options into an object
 * with a dictionary of its own (0.59 against 0.12 µs a try, and slower to read after).
 */
function copyAllButSignal(target: object, source: object): void {
  const into = target as Record<string | symbol, unknown>;
  const from = source as Record<string | symbol, unknown>;
  for (const key in from) if (key !== 'signal' && Object.hasOwn(from, key)) into[key] = from[key];
  for (const key of Object.getOwnPropertySymbols(from))
    if (Object.prototype.propertyIsEnumerable.call(from, key)) into[key] = from[key];
}

/** The try's AbortWatch on a fetch's init or a try's call options, when there is one; else undefined. */
export function abortWatchOf(options: object): AbortWatch | undefined {
  // Its own: an object made with the init as its prototype (and a signal of its own) does not have it.
  if (Object.hasOwn(options, abortWatchKey)) return (options as { [abortWatchKey]: AbortWatch })[abortWatchKey];
  return TryCallOptions.abortOf(options);
}
