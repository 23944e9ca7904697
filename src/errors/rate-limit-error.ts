import { ApiStatusError } from './api-status-error.js';
import { errorMarker } from './cascade-error.js';

const marker = errorMarker('RateLimitError');

/** The provider is rate limiting (429): retried after its `retry-after`. */
export class RateLimitError extends ApiStatusError {
  override name = 'RateLimitError' as const;
  private readonly [marker] = true;

  static override isInstance(error: unknown): error is RateLimitError {
    return ApiStatusError.hasMarker(error, marker);
  }
}
