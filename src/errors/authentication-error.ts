import { ApiStatusError } from './api-status-error.js';
import { errorMarker } from './cascade-error.js';

const marker = errorMarker('AuthenticationError');

/** The key was refused (401) or lacks permission (403): check the key the tier reads. */
export class AuthenticationError extends ApiStatusError {
  override name = 'AuthenticationError' as const;
  private readonly [marker] = true;

  static override isInstance(error: unknown): error is AuthenticationError {
    return ApiStatusError.hasMarker(error, marker);
  }
}
