import { ApiStatusError } from './api-status-error.js';
import { AuthenticationError } from './authentication-error.js';
import { BadRequestError } from './bad-request-error.js';
import { NotFoundError } from './not-found-error.js';
import { RateLimitError } from './rate-limit-error.js';
import { ServerError } from './server-error.js';

/** The error class for an HTTP error status, as openai-node maps them; other statuses are an `ApiStatusError`. */
export function statusError(
  message: string,
  options: { statusCode: number; retryAfterMs?: number | undefined; cause?: unknown },
): ApiStatusError {
  const status = options.statusCode;
  if (status === 400 || status === 422) return new BadRequestError(message, options);
  if (status === 401 || status === 403) return new AuthenticationError(message, options);
  if (status === 404) return new NotFoundError(message, options);
  if (status === 429) return new RateLimitError(message, options);
  if (status >= 500) return new ServerError(message, options);
  return new ApiStatusError(message, options);
}
