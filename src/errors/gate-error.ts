import { CascadeError, errorMarker } from './cascade-error.js';

const marker = errorMarker('GateError');

/**
 * A gate could not reach a verdict (its model call failed, it returned something that is not a verdict).
 * The engine counts it as a failed check and escalates; the trace keeps the gate's name and this message.
 */
export class GateError extends CascadeError {
  override name = 'GateError' as const;
  private readonly [marker] = true;
  /** The gate that failed to run. */
  readonly gate: string;
  /** What the failed attempt may have cost (a judge call that timed out is charged its worst case). */
  readonly costUsd: number;

  constructor(message: string, options: { gate: string; cause?: unknown; costUsd?: number }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.gate = options.gate;
    this.costUsd = options.costUsd ?? 0;
  }

  static override isInstance(error: unknown): error is GateError {
    return CascadeError.hasMarker(error, marker);
  }
}
