/** The listeners of each signal listened to through `onAbort`, called by the one listener it adds to the signal. */
const listenersOf = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Call `listener` once when `signal` aborts; returns the function that stops listening. Every caller
 * shares one listener on the signal: node's EventTarget compares each listener added or removed with
 * every one it holds, so on a batch's signal, which every call in flight listens to, each try's add and
 * remove took as many steps as the concurrency (at 256, 4% of a batch's CPU per item).
 * Like `addEventListener` on a signal already aborted, a listener added after the abort is never called.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = listenersOf.get(signal);
  if (!listeners) {
    const added = new Set<() => void>();
    listeners = added;
    listenersOf.set(signal, added);
    signal.addEventListener(
      'abort',
      () => {
        listenersOf.delete(signal);
        for (const each of added) each();
      },
      { once: true },
    );
  }
  const listening = listeners;
  listening.add(listener);
  return () => {
    listening.delete(listener);
  };
}
