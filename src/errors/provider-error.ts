import { CascadeError, errorMarker } from './cascade-error.js';

const marker = errorMarker('ProviderError');

export interface ProviderErrorOptions {
  /** Whether the retry policy may try the call again. @default false */
  isRetryable?: boolean;
  statusCode?: number | undefined;
  /** Milliseconds the server asked us to wait (`retry-after`), when it did. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/** A provider call failed. `isRetryable` tells the engine's retry policy what to do. */
export class ProviderError extends CascadeError {
  override name: string = 'ProviderError';
  readonly kind: string = 'provider';
  private readonly [marker] = true;
  readonly isRetryable: boolean;
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.isRetryable = options.isRetryable ?? false;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
  }

  static override isInstance(error: unknown): error is ProviderError {
    return CascadeError.hasMarker(error, marker);
  }
}
