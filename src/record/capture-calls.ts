import { AsyncLocalStorage } from 'node:async_hooks';
import type { Completion } from '../spec/completion.js';
import type { ProviderMiddleware } from '../spec/middleware.js';
import type { Provider } from '../spec/provider.js';
import { wrapProvider } from '../middleware/wrap-provider.js';
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

/**
 * Reports each answer a provider gives to the item being captured, if any, under `recordAs` (the model
 * name unless two tiers share it). Failed calls are not kept.
 */
export function captureMiddlewareFor(recordAs?: string): ProviderMiddleware {
  return {
    name: 'capture',
    async wrapComplete(next, request, options, provider) {
      const completion = await next(request, options);
      currentItem.getStore()?.push({ provider: provider.name, model: recordAs ?? provider.model, request, completion });
      return completion;
    },
  };
}

/** Reports each answer under its model's name. */
export const captureMiddleware: ProviderMiddleware = captureMiddlewareFor();

/** The provider with `captureMiddleware` around it. */
export function capturing(provider: Provider, recordAs?: string): Provider {
  return wrapProvider(provider, [recordAs === undefined ? captureMiddleware : captureMiddlewareFor(recordAs)]);
}
