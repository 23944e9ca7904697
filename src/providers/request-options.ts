import type { ProviderCallOptions } from '../spec/provider.js';

/** The SDK's per-request options: the abort signal, and the idempotency key as its header. */
export function requestOptions(call: ProviderCallOptions): { signal?: AbortSignal; headers?: Record<string, string> } {
  return {
    ...(call.signal && { signal: call.signal }),
    ...(call.idempotencyKey !== undefined && { headers: { 'Idempotency-Key': call.idempotencyKey } }),
  };
}
