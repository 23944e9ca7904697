import { describe, expect, it } from 'vitest';
import { abortWatchKey, abortWatchOf, TryCallOptions, type TryAttempt } from '../../src/common/abort-watch.js';

/** A try's abort whose signal is counted when made, as the retry layer's is made only when read. */
function tryAbort(): TryAttempt & { signalsMade: number } {
  let controller: AbortController | undefined;
  return {
    aborted: false,
    signalsMade: 0,
    watch: () => () => undefined,
    get signal() {
      if (!controller) {
        this.signalsMade++;
        controller = new AbortController();
      }
      return controller.signal;
    },
  };
}

describe("a try's call options", () => {
  it("carry the call's own options, and the try's signal in place of the caller's, made when first read", () => {
    const abort = tryAbort();
    const callerSignal = new AbortController().signal;
    const beforeRetry = async () => true;
    const mark = Symbol('mark');
    const given = Object.assign(Object.create({ inherited: 1 }), { signal: callerSignal, beforeRetry, [mark]: 'kept' });
    const options = new TryCallOptions(given, abort) as {
      signal?: AbortSignal;
      beforeRetry?: unknown;
      [mark]?: string;
      inherited?: number;
    };
    expect(abort.signalsMade).toBe(0);
    // As Object.assign copies: own enumerable keys, symbols too, nothing inherited.
    expect(options.beforeRetry).toBe(beforeRetry);
    expect(options[mark]).toBe('kept');
    expect(Object.hasOwn(options, 'inherited')).toBe(false);
    expect(Object.keys(options)).toEqual(['beforeRetry', 'signal']);
    expect(options.signal).toBe(abort.signal);
    expect(options.signal).not.toBe(callerSignal);
    expect(abort.signalsMade).toBe(1);
  });

  it('give their AbortWatch to our transport, but a copy or an object made on top of them does not', () => {
    const abort = tryAbort();
    const options = new TryCallOptions({}, abort) as { signal?: AbortSignal };
    expect(abortWatchOf(options)).toBe(abort);
    // A middleware's copy keeps the try's signal (an enumerable getter) and leaves the watch behind.
    const copied = { ...options };
    expect(abortWatchOf(copied)).toBeUndefined();
    expect(copied.signal).toBe(abort.signal);
    // One with a signal of its own on top of the options: its signal, not the try's watch.
    const own = new AbortController().signal;
    const onTop = Object.create(options, { signal: { value: own, enumerable: true } }) as { signal?: AbortSignal };
    expect(abortWatchOf(onTop)).toBeUndefined();
    expect(onTop.signal).toBe(own);
    // One on top without a signal of its own reads the try's through the options below it.
    expect((Object.create(options) as { signal?: AbortSignal }).signal).toBe(abort.signal);
    // A copy of their descriptors has the getter but no try: no signal, and no error for reading it.
    const described = Object.defineProperties({}, Object.getOwnPropertyDescriptors(options)) as {
      signal?: AbortSignal;
    };
    expect(described.signal).toBeUndefined();
    expect(abortWatchOf(described)).toBeUndefined();
  });

  it("a fetch's init carries the watch as its own key, not through its prototype", () => {
    const abort = tryAbort();
    const init = { method: 'POST', [abortWatchKey]: abort };
    expect(abortWatchOf(init)).toBe(abort);
    expect(abortWatchOf(Object.create(init))).toBeUndefined();
  });
});
