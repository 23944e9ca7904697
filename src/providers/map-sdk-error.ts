import { redactSecrets } from '../common/secrets.js';
import type { SdkErrorClasses } from './sdk-modules.js';
import { statusError, ConnectionError, MalformedResponseError, ProviderError } from '../errors/index.js';

/** Milliseconds from `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && Number.isFinite(Number(milliseconds))) return Number(milliseconds);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Replace every occurrence of the secret, so a key echoed in an error message never reaches a trace or log. */
export function redact(text: string, secret: string | undefined): string {
  const exact = secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
  return redactSecrets(exact);
}

/** The HTTP status each error type of a streamed error event stands for (Anthropic's error types). */
const streamedErrorStatus: Record<string, number> = {
  overloaded_error: 529,
  api_error: 500,
  rate_limit_error: 429,
  timeout_error: 504,
};

interface SdkLikeError {
  name?: string;
  message?: string;
  status?: number;
  headers?: { get(name: string): string | null };
}

/**
 * Map an error of the openai or @anthropic-ai/sdk clients (same generated error hierarchy) or of
 * `fetch` to this library's errors. Abort errors pass through: the retry policy tells a timeout
 * from a caller's cancellation by looking at its own signals.
 */
export function mapSdkError(
  error: unknown,
  sdk: SdkErrorClasses,
  label: string,
  secret?: string,
  endpoint?: string,
): unknown {
  // The SDKs do not set `name` on these classes, so they are told apart by class.
  if (error instanceof ProviderError) return error;
  const failure = (error ?? {}) as SdkLikeError;
  const message = redact(`${label}: ${failure.message ?? String(error)}`, secret);
  if (error instanceof sdk.APIUserAbortError || failure.name === 'AbortError') return error;
  if (typeof failure.status === 'number') {
    return statusError(message, { statusCode: failure.status, retryAfterMs: parseRetryAfter(failure.headers) });
  }
  // An error event inside a stream (Anthropic's `overloaded_error`) has no HTTP status: the status its
  // type stands for, so an overloaded stream is retried as a 529 answer would be.
  const typed = error as { type?: unknown; error?: { type?: unknown } } | undefined;
  const streamed = streamedErrorStatus[String(typed?.type ?? typed?.error?.type ?? '')];
  if (error instanceof sdk.APIError && streamed !== undefined) return statusError(message, { statusCode: streamed });
  if (error instanceof sdk.APIConnectionError) {
    // The SDK says only "Connection error."; where it tried and why is what the user needs.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message;
    return new ConnectionError(
      redact(
        `${message.replace(/\.$/, '')}: cannot connect to ${endpoint ?? 'the server'}${why ? ` (${why})` : ''}`,
        secret,
      ),
    );
  }
  if (error instanceof SyntaxError) return new MalformedResponseError(message);
  if (error instanceof TypeError) return new ConnectionError(message);
  return new ProviderError(message, { isRetryable: false });
}
