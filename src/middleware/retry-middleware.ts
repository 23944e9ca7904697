import type { ProviderMiddleware } from '../spec/middleware.js';
import { callWithRetries, RetriesExhaustedError, type RetryOptions } from './retry-policy.js';
import { mayHaveBeenBilled, StreamBrokenError } from '../errors/index.js';
import type { Completion } from '../spec/completion.js';

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
          return { ...(await next(request, options)), retries: 0 };
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
      const beforeRetry = async (error: unknown) =>
        streamedChars === 0 && (options.beforeRetry ? options.beforeRetry(error) : true);
      let outcome: Awaited<ReturnType<typeof callWithRetries<Completion>>>;
      try {
        outcome = await callWithRetries(
          (signalOf) => {
            lastTryStarted = performance.now();
            // The signal is a getter: made only for a provider that reads it.
            return next(request, {
              ...options,
              ...(onDelta && { onDelta }),
              get signal() {
                return signalOf();
              },
            });
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
      return {
        ...outcome.value,
        latencyMs: outcome.value.latencyMs + waitedMs,
        retries: outcome.retries,
        ...(outcome.possiblyBilledTries > 0 && { possiblyBilledTries: outcome.possiblyBilledTries }),
      };
    },
  };
}
