/** Base of every error this library throws. `name` is a literal so callers can switch on it. */
export class CascadeError extends Error {
  override name = 'CascadeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A cascade file or option is wrong. The message names the file, the field and the fix. */
export class ConfigError extends CascadeError {
  override name = 'ConfigError' as const;
  constructor(
    message: string,
    readonly file?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * A variable name that is more likely a key pasted into `apiKeyEnv`: long, with lower-case letters and
 * digits mixed, where variable names are conventionally upper case with underscores.
 */
export function looksLikePastedKey(name: string): boolean {
  return name.length >= 24 && /[a-z]/.test(name) && /\d/.test(name) && !/_/.test(name);
}

/** An environment variable named by `apiKeyEnv` is not set. Only the variable's name is ever shown. */
export class MissingApiKeyError extends CascadeError {
  override name = 'MissingApiKeyError' as const;
  constructor(
    readonly variable: string,
    readonly tier: string,
  ) {
    super(
      looksLikePastedKey(variable)
        ? `The environment variable that apiKeyEnv of ${tier} names is not set, and the name looks like a key itself, so it is not shown. apiKeyEnv takes the NAME of a variable, such as OPENAI_API_KEY; export the key in it.`
        : `The environment variable ${variable} is not set; ${tier} reads its API key from it. Export it before running, or point apiKeyEnv at another variable.`,
    );
  }
}

/** A provider call failed. `isRetryable` tells the engine's retry policy what to do. */
export class ProviderError extends CascadeError {
  override name: string = 'ProviderError';
  readonly kind: string = 'provider';
  constructor(
    message: string,
    readonly isRetryable: boolean,
    readonly statusCode?: number,
    /** Milliseconds the server asked us to wait (`retry-after`), when it did. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The server answered with an HTTP error status. 408, 409, 429 and 5xx are retryable. */
export class ApiStatusError extends ProviderError {
  override name = 'ApiStatusError' as const;
  override readonly kind = 'status';
  constructor(message: string, statusCode: number, retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, isRetryableStatus(statusCode), statusCode, retryAfterMs, options);
  }
}

/** No connection could be made, or it broke before a response arrived. */
export class ConnectionError extends ProviderError {
  override name = 'ConnectionError' as const;
  override readonly kind = 'connection';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, undefined, undefined, options);
  }
}

/** The tier's `timeoutMs` passed before the answer came. */
export class TimeoutError extends ProviderError {
  override name = 'TimeoutError' as const;
  override readonly kind = 'timeout';
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms`, true);
  }
}

/** A response arrived but could not be read (truncated or malformed JSON). Retried: usually a broken transfer. */
export class MalformedResponseError extends ProviderError {
  override name = 'MalformedResponseError' as const;
  override readonly kind = 'malformed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, undefined, undefined, options);
  }
}

/** A response was valid JSON but not the provider's shape (no choices, no content). Not retried. */
export class UnexpectedResponseError extends ProviderError {
  override name = 'UnexpectedResponseError' as const;
  override readonly kind = 'unexpected-response';
  constructor(message: string) {
    super(message, false);
  }
}

/** The replay provider has no recorded answer for a request. */
export class ReplayMissError extends ProviderError {
  override name = 'ReplayMissError' as const;
  override readonly kind = 'replay-miss';
  constructor(message: string) {
    super(message, false);
  }
}

/** Offline mode refused a call to a host that is not loopback. Never retried: the next try would be refused too. */
export class OfflineViolationError extends ProviderError {
  override name = 'OfflineViolationError' as const;
  override readonly kind = 'offline-violation';
  constructor(message: string) {
    super(message, false);
  }
}

/** A tier's (or judge's) circuit is open after repeated failures: the call was not made. Not retried. */
export class CircuitOpenError extends ProviderError {
  override name = 'CircuitOpenError' as const;
  override readonly kind = 'circuit-open';
  constructor(readonly label: string) {
    super(`The circuit of ${label} is open after repeated failures; no call was made`, false);
  }
}

/** The caller aborted the run through its `AbortSignal`. */
export class AbortedError extends CascadeError {
  override name = 'AbortedError' as const;
  constructor() {
    super('The run was aborted by the caller');
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
