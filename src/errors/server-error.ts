import { ApiStatusError } from './api-status-error.js';
import { errorMarker } from './cascade-error.js';

const marker = errorMarker('ServerError');

/** The provider failed (5xx): retried. */
export class ServerError extends ApiStatusError {
  override name = 'ServerError' as const;
  private readonly [marker] = true;

  static override isInstance(error: unknown): error is ServerError {
    return ApiStatusError.hasMarker(error, marker);
  }
}
