import { MalformedResponseError } from './malformed-response-error.js';
import { StreamBrokenError } from './stream-broken-error.js';
import { TimeoutError } from './timeout-error.js';
import { UnexpectedResponseError } from './unexpected-response-error.js';

/**
 * Whether a failed call may still have been billed: it timed out after the request was sent, or an
 * answer came back cut or in the wrong shape, or broke off while streaming. (A refused connection or an error status was not.)
 */
export function mayHaveBeenBilled(error: unknown): boolean {
  return (
    TimeoutError.isInstance(error) ||
    StreamBrokenError.isInstance(error) ||
    MalformedResponseError.isInstance(error) ||
    UnexpectedResponseError.isInstance(error)
  );
}
