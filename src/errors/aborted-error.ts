import { CascadeError, errorMarker } from './cascade-error.js';

const marker = errorMarker('AbortedError');

/** The caller aborted the run through its `AbortSignal`. */
export class AbortedError extends CascadeError {
  override name = 'AbortedError' as const;
  private readonly [marker] = true;

  constructor() {
    super('The run was aborted by the caller');
  }

  static override isInstance(error: unknown): error is AbortedError {
    return CascadeError.hasMarker(error, marker);
  }
}
