import { AsyncLocalStorage } from 'node:async_hooks';
import type { Completion } from '../spec/completion.js';
import type { Provider } from '../spec/provider.js';
import type { CascadeRequest } from '../spec/request.js';

/** One successful provider call, as a recording keeps it. */
export interface CapturedCall {
  provider: string;
  model: string;
  request: CascadeRequest;
  completion: Completion;
}

// Calls are attributed to the item whose run made them, however many items are in flight at once.
const currentItem = new AsyncLocalStorage<CapturedCall[]>();

/** Run `work` and collect every call a `capturing` provider made for it (tiers and judges alike). */
export async function captureCalls<T>(work: () => Promise<T>): Promise<{ value: T; calls: CapturedCall[] }> {
  const calls: CapturedCall[] = [];
  const value = await currentItem.run(calls, work);
  return { value, calls };
}

/** A provider that reports each answer it gives to the item being captured, if any. Failed calls are not kept. */
export function capturing(provider: Provider): Provider {
  const wrapped: Provider = {
    specificationVersion: 'v1',
    name: provider.name,
    model: provider.model,
    async complete(request, options) {
      const completion = await provider.complete(request, options);
      currentItem.getStore()?.push({ provider: provider.name, model: provider.model, request, completion });
      return completion;
    },
  };
  if (provider.knownCostUsd) wrapped.knownCostUsd = (request) => provider.knownCostUsd!(request);
  return wrapped;
}
