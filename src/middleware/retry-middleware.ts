import type { CompleteCall, ProviderMiddleware } from '../spec/middleware.js';
import { callWithRetries, RetriesExhaustedError, type RetryOptions, type TryAttempt } from './retry-policy.js';
import { mayHaveBeenBilled, StreamBrokenError } from '../errors/index.js';
import type { Completion } from '../spec/completion.js';
import { copyWith } from '../common/copy-with.js';
import type { CascadeRequest } from '../spec/request.js';
import type { ProviderCallOptions } from '../spec/provider.js';
import { TryCallOptions } from '../common/abort-watch.js';

/**
 * The one retry policy as middleware: each try has its own timeout, retryable failures are tried again
 * after a backoff, and the completion reports how many retries it took and, in `latencyMs`, the time the
 * failed tries and the waits between them took as well. When every try fails, `RetriesExhaustedError`
 * carries the last error and the retries spent.
 */
export function retryMiddleware(retry: RetryOptions): ProviderMiddleware {
  return {
    name: 'retry',
    wrapComplete(next, request, options, provider) {
      if (provider.answersFromMemory) return answerFromMemory(next, request, options);
      if (options.onDelta) return streamedWithRetries(next, request, options, retry);
      return withRetries(next, request, options, retry);
    },
  };
}

/** Nothing to time out or retry: a recording answers at once, or never (a miss is not retried). */
async function answerFromMemory(
  next: CompleteCall,
  request: CascadeRequest,
  options: ProviderCallOptions,
): Promise<Completion> {
  try {
    return copyWith(await next(request, options), { retries: 0 });
  } catch (error) {
    throw new RetriesExhaustedError(error, 0);
  }
}

/**
 * A call that is not streamed. Not an async function: the answer of the try settles the call's promise
 * (see callWithRetries), without a suspended frame of its own waiting with each call in flight.
 */
function withRetries(
  next: CompleteCall,
  request: CascadeRequest,
  options: ProviderCallOptions,
  retry: RetryOptions,
): Promise<Completion> {
  const times = new TryTimes();
  return callWithRetries(
    eachTry(next, request, options, times),
    retry,
    options.signal,
    options.beforeRetry,
    (completion, retries, possiblyBilledTries) => reported(completion, times.waitedMs, retries, possiblyBilledTries),
  );
}

/** When a call's tries started, for the time its failed tries and the waits between them took. */
class TryTimes {
  private readonly started = performance.now();
  // The first try's start is the call's: one clock read less per call.
  private lastTryStarted = this.started;
  private tries = 0;

  tryStarts(): void {
    if (this.tries++ > 0) this.lastTryStarted = performance.now();
  }

  get waitedMs(): number {
    return this.lastTryStarted - this.started;
  }
}

/** One try of the call: the rest of the stack, with the try's options (see TryCallOptions). */
function eachTry(
  next: CompleteCall,
  request: CascadeRequest,
  options: ProviderCallOptions,
  times: TryTimes,
  onDelta?: (text: string) => void,
): (attempt: TryAttempt) => Promise<Completion> {
  return (attempt) => {
    times.tryStarts();
    // The try's abort, which our own transport watches without a signal, and the signal it makes when
    // a provider reads it.
    const tryOptions = new TryCallOptions(options, attempt) as ProviderCallOptions;
    if (onDelta) tryOptions.onDelta = onDelta;
    return next(request, tryOptions);
  };
}

/** A streamed call: text already passed on cannot be taken back, so once a try has given some, it is not retried. */
async function streamedWithRetries(
  next: CompleteCall,
  request: CascadeRequest,
  options: ProviderCallOptions,
  retry: RetryOptions,
): Promise<Completion> {
  const times = new TryTimes();
  let streamedChars = 0;
  const onDelta = (text: string) => {
    streamedChars += text.length;
    options.onDelta!(text);
  };
  const beforeRetry = async (error: unknown) =>
    streamedChars === 0 && (options.beforeRetry ? options.beforeRetry(error) : true);
  try {
    const outcome = await callWithRetries(
      eachTry(next, request, options, times, onDelta),
      retry,
      options.signal,
      beforeRetry,
    );
    return reported(outcome.value, times.waitedMs, outcome.retries, outcome.possiblyBilledTries);
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
}

/**
 * The answer with the retries it took, and in `latencyMs` the time the failed tries and the waits took
 * as well (recorded latency for a replayed call, wall time for a live one).
 */
function reported(value: Completion, waitedMs: number, retries: number, possiblyBilledTries: number): Completion {
  // Copied, then set: see common/copy-with.ts.
  const completion: Completion = Object.assign({}, value);
  completion.latencyMs = value.latencyMs + waitedMs;
  completion.retries = retries;
  if (possiblyBilledTries > 0) completion.possiblyBilledTries = possiblyBilledTries;
  return completion;
}
