import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('MalformedResponseError');

/** A response arrived but could not be read (truncated or malformed JSON). Retried: usually a broken transfer. */
export class MalformedResponseError extends ProviderError {
  override name = 'MalformedResponseError' as const;
  override readonly kind = 'malformed';
  private readonly [marker] = true;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, isRetryable: true });
  }

  static override isInstance(error: unknown): error is MalformedResponseError {
    return ProviderError.hasMarker(error, marker);
  }
}
