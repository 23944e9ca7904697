import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('OfflineViolationError');

/** Offline mode refused a call to a host that is not loopback. Never retried: the next try would be refused too. */
export class OfflineViolationError extends ProviderError {
  override name = 'OfflineViolationError' as const;
  override readonly kind = 'offline-violation';
  private readonly [marker] = true;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, isRetryable: false });
  }

  static override isInstance(error: unknown): error is OfflineViolationError {
    return ProviderError.hasMarker(error, marker);
  }
}
