import { describe, expect, it } from 'vitest';
import { onAbort } from '../../src/common/on-abort.js';

describe('onAbort, one listener on a signal shared by every caller', () => {
  it('calls each listener once, in the order added, and not those that stopped listening', () => {
    const controller = new AbortController();
    const called: string[] = [];
    onAbort(controller.signal, () => called.push('first'));
    const stop = onAbort(controller.signal, () => called.push('stopped'));
    onAbort(controller.signal, () => called.push('second'));
    stop();
    controller.abort();
    controller.abort();
    expect(called).toEqual(['first', 'second']);
  });

  it('never calls a listener added after the abort, as addEventListener does not', () => {
    const signal = AbortSignal.abort();
    let called = false;
    onAbort(signal, () => {
      called = true;
    });
    expect(called).toBe(false);
  });

  it('adds one listener to the signal however many callers listen', () => {
    const controller = new AbortController();
    let added = 0;
    const addEventListener = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
      added++;
      addEventListener(...args);
    };
    const stops = Array.from({ length: 300 }, () => onAbort(controller.signal, () => undefined));
    for (const stop of stops) stop();
    expect(added).toBe(1);
  });
});
