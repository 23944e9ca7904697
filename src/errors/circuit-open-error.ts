import { errorMarker } from './cascade-error.js';
import { ProviderError } from './provider-error.js';

const marker = errorMarker('CircuitOpenError');

/** A tier's (or judge's, or embedder's) circuit is open after repeated failures: no call was made. Not retried. */
export class CircuitOpenError extends ProviderError {
  override name = 'CircuitOpenError' as const;
  override readonly kind = 'circuit-open';
  private readonly [marker] = true;

  constructor(readonly label: string) {
    super(`The circuit of ${label} is open after repeated failures; no call was made`);
  }

  static override isInstance(error: unknown): error is CircuitOpenError {
    return ProviderError.hasMarker(error, marker);
  }
}
