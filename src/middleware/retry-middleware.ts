import type { ProviderMiddleware } from '../spec/middleware.js';
import { callWithRetries, RetriesExhaustedError, type RetryOptions, type TryAttempt } from './retry-policy.js';
import { mayHaveBeenBilled, StreamBrokenError } from '../errors/index.js';
import type { Completion } from '../spec/completion.js';
import { copyWith } from '../common/copy-with.js';
import type { ProviderCallOptions } from '../spec/provider.js';
import { abortWatchKey, attachAbortWatch } from '../common/abort-watch.js';

/** A try's options: the try's abort sits on them under `abortWatchKey` (see common/abort-watch.ts). */
type TryOptions = ProviderCallOptions & { [abortWatchKey]: TryAttempt };
/**
 * One getter for every try's `signal`, reading the try's own abort: a getter written in each try's object
 * literal is a new function each time, which gave each options object a map of its own (a hidden-class
 * chain that survived young-generation collections: bench/engine-overhead spent half its time in GC).
 */
const signalAccessor: PropertyDescriptor = {
  get(this: TryOptions) {
    return this[abortWatchKey].signal;
  },
  enumerable: true,
  configurable: true,
};

/**
 * The one retry policy as middleware: each try has its own timeout, retryable failures are tried again
 * after a backoff, and the completion reports how many retries it took and, in `latencyMs`, the time the
 * failed tries and the waits between them took as well. When every try fails, `RetriesExhaustedError`
 * carries the last error and the retries spent.
 */
export function retryMiddleware(retry: RetryOptions): ProviderMiddleware {
  return {
    name: 'retry',
    async wrapComplete(next, request, options, provider) {
      // Nothing to time out or retry: a recording answers at once, or never (a miss is not retried).
      if (provider.answersFromMemory) {
        try {
          return copyWith(await next(request, options), { retries: 0 });
        } catch (error) {
          throw new RetriesExhaustedError(error, 0);
        }
      }
      const started = performance.now();
      let lastTryStarted = started;
      // Text already passed on cannot be taken back: once a streamed try has given some, it is not retried.
      let streamedChars = 0;
      const onDelta =
        options.onDelta &&
        ((text: string) => {
          streamedChars += text.length;
          options.onDelta!(text);
        });
      // Only a streamed call needs a hook of its own (a closure per call, alive through the call's wait).
      const beforeRetry = onDelta
        ? async (error: unknown) => streamedChars === 0 && (options.beforeRetry ? options.beforeRetry(error) : true)
        : options.beforeRetry;
      let outcome: Awaited<ReturnType<typeof callWithRetries<Completion>>>;
      try {
        outcome = await callWithRetries(
          (attempt) => {
            lastTryStarted = performance.now();
            // The signal is a getter: made only for a provider that reads it.
            // Copied onto `{}`, then added to (see common/copy-with.ts).
            const tryOptions = Object.assign({}, options) as TryOptions;
            if (onDelta) tryOptions.onDelta = onDelta;
            // The try's abort, which our own transport watches without a signal, and the signal it makes.
            attachAbortWatch(tryOptions, attempt);
            Object.defineProperty(tryOptions, 'signal', signalAccessor);
            return next(request, tryOptions);
          },
          retry,
          options.signal,
          beforeRetry,
        );
      } catch (error) {
        if (streamedChars === 0 || !(error instanceof RetriesExhaustedError)) throw error;
        const last = error.lastError;
        throw new RetriesExhaustedError(
          new StreamBrokenError(
            `the answer broke off after ${streamedChars} characters had been streamed: ${last instanceof Error ? last.message : String(last)}`,
            streamedChars,
            { cause: last },
          ),
          error.retries,
          error.possiblyBilledTries + (mayHaveBeenBilled(last) ? 0 : 1),
        );
      }
      // Recorded latency for a replayed call, wall time for a live one; failed tries and waits count too.
      const waitedMs = lastTryStarted - started;
      const completion: Completion = copyWith(outcome.value, {
        latencyMs: outcome.value.latencyMs + waitedMs,
        retries: outcome.retries,
      });
      if (outcome.possiblyBilledTries > 0) completion.possiblyBilledTries = outcome.possiblyBilledTries;
      return completion;
    },
  };
}
