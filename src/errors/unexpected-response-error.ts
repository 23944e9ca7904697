import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('UnexpectedResponseError');

/** A response was valid JSON but not the provider's shape (no choices, no content). Not retried. */
export class UnexpectedResponseError extends ProviderError {
  override name = 'UnexpectedResponseError' as const;
  override readonly kind = 'unexpected-response';
  private readonly [marker] = true;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, isRetryable: false });
  }

  static override isInstance(error: unknown): error is UnexpectedResponseError {
    return ProviderError.hasMarker(error, marker);
  }
}
