import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('ReplayMissError');

/** The replay provider has no recorded answer for a request. */
export class ReplayMissError extends ProviderError {
  override name = 'ReplayMissError' as const;
  override readonly kind = 'replay-miss';
  private readonly [marker] = true;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, isRetryable: false });
  }

  static override isInstance(error: unknown): error is ReplayMissError {
    return ProviderError.hasMarker(error, marker);
  }
}
