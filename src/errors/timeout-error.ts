import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('TimeoutError');

/** The call's `timeoutMs` passed before the answer came. Retried. */
export class TimeoutError extends ProviderError {
  override name = 'TimeoutError' as const;
  override readonly kind = 'timeout';
  private readonly [marker] = true;

  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms`, { isRetryable: true });
  }

  static override isInstance(error: unknown): error is TimeoutError {
    return ProviderError.hasMarker(error, marker);
  }
}
