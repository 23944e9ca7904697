import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { sendEvents } from '../../src/serve/send-events.js';

/** A response whose client reads nothing: every write fills the buffer and no drain ever comes. */
class UnreadResponse extends EventEmitter {
  destroyed = false;
  ended = false;
  written: string[] = [];
  writeHead() {
    return this;
  }
  write(data: string) {
    this.written.push(data);
    return false;
  }
  end() {
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('server-sent events written straight to node:http', () => {
  it('cut off a client that reads nothing for the stall limit, so the stream ends instead of waiting for ever', async () => {
    vi.useFakeTimers();
    try {
      const outgoing = new UnreadResponse();
      const finished = vi.fn();
      const context = { env: { outgoing } } as unknown as Parameters<typeof sendEvents>[0];
      await sendEvents(
        context,
        {},
        async (send) => {
          await send('first');
          await send('second');
          finished();
        },
        1000,
      );
      await vi.advanceTimersByTimeAsync(999);
      expect(outgoing.destroyed).toBe(false);
      expect(finished).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      // Cut off: the rest is not waited for, and the stream ends.
      expect(outgoing.destroyed).toBe(true);
      await vi.runAllTimersAsync();
      expect(finished).toHaveBeenCalled();
      expect(outgoing.written).toEqual(['data: first\n\n']);
      expect(outgoing.ended).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
