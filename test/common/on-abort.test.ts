import { getEventListeners } from 'node:events';
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
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const stop of stops) stop();
    expect(added).toBe(1);
  });

  it('takes its listener off the signal when the last caller stops listening, and puts it back for the next', () => {
    // A timeout signal with an abort listener is kept alive until it aborts: one per served request, held
    // for the request timeout after each request had ended, until this.
    const signal = AbortSignal.timeout(120_000);
    const first = onAbort(signal, () => undefined);
    const second = onAbort(signal, () => undefined);
    first();
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    second();
    second();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const controller = new AbortController();
    const called: string[] = [];
    onAbort(controller.signal, () => called.push('gone'))();
    onAbort(controller.signal, () => called.push('again'));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(called).toEqual(['again']);
  });

  it('a caller that stops after the abort changes nothing', () => {
    const controller = new AbortController();
    const stop = onAbort(controller.signal, () => undefined);
    controller.abort();
    stop();
    let called = false;
    onAbort(controller.signal, () => {
      called = true;
    });
    expect(called).toBe(false);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
