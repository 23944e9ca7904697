import { ApiStatusError } from './api-status-error.js';
import { errorMarker } from './cascade-error.js';

const marker = errorMarker('NotFoundError');

/** The model or endpoint does not exist (404): check `model` and `baseURL`. */
export class NotFoundError extends ApiStatusError {
  override name = 'NotFoundError' as const;
  private readonly [marker] = true;

  static override isInstance(error: unknown): error is NotFoundError {
    return ApiStatusError.hasMarker(error, marker);
  }
}
