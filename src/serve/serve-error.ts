import { CascadeError } from '../errors/index.js';

/** An error the server answers with, in OpenAI's shape: `{ error: { message, type, code, param } }`. */
export class ServeError extends CascadeError {
  override name = 'ServeError' as const;
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  toBody(): { error: { message: string; type: string; code: string | null; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}
