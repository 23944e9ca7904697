import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isConnectionCloseAbort, retryAborted, throwFirstError } from '../../src/queue/retry-aborted.js';

// The error class ioredis itself rejects partly answered pipelines with (it does not re-export it).
// Resolved from ioredis's own folder: redis-errors is its dependency, not ours.
const require = createRequire(createRequire(import.meta.url).resolve('ioredis'));
const { AbortError } = require('redis-errors') as { AbortError: new (message: string) => Error };

function connectionCloseAbort(): Error {
  const error = new AbortError('Command aborted due to connection close');
  Object.assign(error, { command: { name: 'hset', args: ['meta', 'collected', '3'] } });
  return error;
}

describe('retryAborted', () => {
  it('runs work again when Redis closed the connection under a partly answered pipeline', async () => {
    let calls = 0;
    const result = await retryAborted(async () => {
      calls++;
      if (calls < 3) throw connectionCloseAbort();
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after its attempts, with the abort itself', async () => {
    let calls = 0;
    await expect(
      retryAborted(async () => {
        calls++;
        throw connectionCloseAbort();
      }, 4),
    ).rejects.toThrow('Command aborted due to connection close');
    expect(calls).toBe(4);
  });

  it('does not rerun work that failed for any other reason, an AbortSignal abort included', async () => {
    let calls = 0;
    const signalAbort = AbortSignal.abort().reason as Error;
    expect(signalAbort.name).toBe('AbortError');
    expect(isConnectionCloseAbort(signalAbort)).toBe(false);
    await expect(
      retryAborted(async () => {
        calls++;
        throw signalAbort;
      }),
    ).rejects.toBe(signalAbort);
    await expect(retryAborted(async () => Promise.reject(new Error('WRONGTYPE')))).rejects.toThrow('WRONGTYPE');
    expect(calls).toBe(1);
  });
});

describe('throwFirstError', () => {
  it('throws the first failed command of a pipeline, so a retry sees it', () => {
    const aborted = connectionCloseAbort();
    expect(() =>
      throwFirstError([
        [null, 1],
        [aborted, null],
        [new Error('later'), null],
      ]),
    ).toThrow(aborted);
    expect(isConnectionCloseAbort(aborted)).toBe(true);
  });

  it('passes results through when every command succeeded', () => {
    const results: [Error | null, number | string][] = [
      [null, 1],
      [null, 'OK'],
    ];
    expect(throwFirstError(results)).toEqual([
      [null, 1],
      [null, 'OK'],
    ]);
    expect(throwFirstError(null)).toEqual([]);
  });
});
