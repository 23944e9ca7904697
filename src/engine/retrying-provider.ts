import type { Provider } from '../spec/provider.js';
import { callWithRetries, RetriesExhaustedError, type RetryOptions } from './retry-policy.js';

/**
 * A provider whose calls follow the engine's retry policy: a per-call timeout, retries with backoff on
 * retryable errors. Tier calls get this in the engine; the judge gate's model calls get it here, so a
 * judge that hangs ends within its timeout instead of holding the item. The last error is thrown once
 * retries are spent.
 */
export function retryingProvider(provider: Provider, retry: RetryOptions): Provider {
  const knownCostUsd = provider.knownCostUsd;
  return {
    specificationVersion: 'v1',
    name: provider.name,
    model: provider.model,
    ...(knownCostUsd && {
      knownCostUsd: (request: Parameters<typeof knownCostUsd>[0]) => knownCostUsd.call(provider, request),
    }),
    complete: async (request, options = {}) => {
      try {
        return (
          await callWithRetries((signal) => provider.complete(request, { ...options, signal }), retry, options.signal)
        ).value;
      } catch (error) {
        throw error instanceof RetriesExhaustedError ? error.lastError : error;
      }
    },
  };
}
