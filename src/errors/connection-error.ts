import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('ConnectionError');

/** No connection could be made, or it broke before a response arrived. */
export class ConnectionError extends ProviderError {
  override name = 'ConnectionError' as const;
  override readonly kind = 'connection';
  private readonly [marker] = true;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, isRetryable: true });
  }

  static override isInstance(error: unknown): error is ConnectionError {
    return ProviderError.hasMarker(error, marker);
  }
}
