import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('ApiStatusError');

/** 408, 409, 429 and 5xx are worth another try; other statuses will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The server answered with an HTTP error status. 408, 409, 429 and 5xx are retryable. */
export class ApiStatusError extends ProviderError {
  override name: string = 'ApiStatusError';
  override readonly kind = 'status';
  private readonly [marker] = true;
  declare readonly statusCode: number;

  constructor(message: string, options: { statusCode: number; retryAfterMs?: number | undefined; cause?: unknown }) {
    super(message, { ...options, isRetryable: isRetryableStatus(options.statusCode) });
  }

  static override isInstance(error: unknown): error is ApiStatusError {
    return ProviderError.hasMarker(error, marker);
  }
}
