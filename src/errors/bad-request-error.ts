import { ApiStatusError } from './api-status-error.js';
import { errorMarker } from './cascade-error.js';

const marker = errorMarker('BadRequestError');

/** The server refused the request as malformed (400, 422): the same request will fail again. */
export class BadRequestError extends ApiStatusError {
  override name = 'BadRequestError' as const;
  private readonly [marker] = true;

  static override isInstance(error: unknown): error is BadRequestError {
    return ApiStatusError.hasMarker(error, marker);
  }
}
