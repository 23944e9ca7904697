import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('StreamBrokenError');

/**
 * A streamed answer failed after part of it had been passed on: it cannot be tried again, nor taken over
 * by another tier, without the reader seeing text twice. Not retried; may have been billed.
 */
export class StreamBrokenError extends ProviderError {
  override name = 'StreamBrokenError' as const;
  override readonly kind = 'stream-broken';
  private readonly [marker] = true;

  constructor(
    message: string,
    readonly streamedChars: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, { isRetryable: false, ...options });
  }

  static override isInstance(error: unknown): error is StreamBrokenError {
    return ProviderError.hasMarker(error, marker);
  }
}
