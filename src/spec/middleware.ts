import type { Completion } from './completion.js';
import type { Provider, ProviderCallOptions } from './provider.js';
import type { CascadeRequest } from './request.js';

/** The rest of the stack below a middleware: call it to go on to the provider. */
export type CompleteCall = (request: CascadeRequest, options: ProviderCallOptions) => Promise<Completion>;

/**
 * One cross-cutting concern around a provider's calls (after vercel/ai's `LanguageModelMiddleware`):
 * retries and timeouts, the circuit breaker, rate limits, recording, answering from a recording with
 * live calls on a miss. Composed by `wrapProvider`; the first middleware of the list is the outermost.
 */
export interface ProviderMiddleware {
  /** Names the middleware in stacks and errors. */
  readonly name: string;
  /** Rewrite the request before it goes further down. */
  transformRequest?(request: CascadeRequest, provider: Provider): CascadeRequest;
  /** Wrap the call: `next` runs the rest of the stack (and may be called again, or not at all). */
  wrapComplete?(
    next: CompleteCall,
    request: CascadeRequest,
    options: ProviderCallOptions,
    provider: Provider,
  ): Promise<Completion>;
}
