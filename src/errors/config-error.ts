import { CascadeError, errorMarker } from './cascade-error.js';

const marker = errorMarker('ConfigError');

/** A cascade file or option is wrong. The message names the file, the field and the fix. */
export class ConfigError extends CascadeError {
  override name = 'ConfigError' as const;
  private readonly [marker] = true;
  /** The file the mistake is in, when it is in one. */
  readonly file: string | undefined;
  /** The field to fix. */
  readonly field: string | undefined;

  constructor(
    message: string,
    options: { file?: string | undefined; field?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
    this.field = options.field;
  }

  static override isInstance(error: unknown): error is ConfigError {
    return CascadeError.hasMarker(error, marker);
  }
}
