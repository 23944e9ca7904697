import type { CompleteCall, ProviderMiddleware } from '../spec/middleware.js';
import type { Provider } from '../spec/provider.js';

/**
 * The provider with the middleware around its calls, the first of the list outermost (so
 * `wrapProvider(p, [breaker, retry, limits])` asks the breaker first and waits on the limits on each try).
 * Name, model and `knownCostUsd` stay the provider's.
 */
export function wrapProvider(provider: Provider, middleware: readonly ProviderMiddleware[]): Provider {
  if (middleware.length === 0) return provider;
  let call: CompleteCall = (request, options) => provider.complete(request, options);
  for (const layer of [...middleware].reverse()) {
    const below = call;
    const { transformRequest, wrapComplete } = layer;
    call = (request, options) => {
      const transformed = transformRequest ? transformRequest.call(layer, request, provider) : request;
      return wrapComplete
        ? wrapComplete.call(layer, below, transformed, options, provider)
        : below(transformed, options);
    };
  }
  const wrapped: Provider = {
    specificationVersion: 'v1',
    name: provider.name,
    model: provider.model,
    complete: (request, options = {}) => call(request, options),
  };
  // `answersFromMemory` is not carried over: a middleware may add waiting or I/O (live calls on a miss).
  const knownCostUsd = provider.knownCostUsd;
  if (knownCostUsd) wrapped.knownCostUsd = (request) => knownCostUsd.call(provider, request);
  return wrapped;
}
