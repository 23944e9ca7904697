import { createRequire } from 'node:module';
import type PQueue from 'p-queue';
import type { Provider } from '../spec/provider.js';
import type { Completion } from '../spec/completion.js';
import type { ProviderMiddleware } from '../spec/middleware.js';
import { wrapProvider } from './wrap-provider.js';
import { countMessageTokens, loadTokenizer } from '../tokens/count-tokens.js';

export interface RateLimits {
  /** Calls in flight at once. */
  maxConcurrent?: number;
  /** Calls started in any rolling minute. */
  requestsPerMinute?: number;
  /** Input tokens plus the max-token allowance, in any minute (a token bucket refilled continuously). */
  tokensPerMinute?: number;
}

/** Waits until `tokens` fit in a bucket of `perMinute` capacity that refills continuously. */
class TokenBucket {
  private available: number;
  private updatedAt = performance.now();
  private waiting: Promise<void> = Promise.resolve();

  constructor(private readonly perMinute: number) {
    this.available = perMinute;
  }

  take(tokens: number): Promise<void> {
    // One waiter at a time, in arrival order, so a large request is not starved by small ones.
    const turn = this.waiting.then(() => this.waitFor(Math.min(tokens, this.perMinute)));
    this.waiting = turn.catch(() => undefined);
    return turn;
  }

  private async waitFor(tokens: number): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.available = Math.min(this.perMinute, this.available + ((now - this.updatedAt) * this.perMinute) / 60_000);
      this.updatedAt = now;
      if (this.available >= tokens) {
        this.available -= tokens;
        return;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.ceil(((tokens - this.available) * 60_000) / this.perMinute)),
      );
    }
  }
}

const require = createRequire(import.meta.url);

/**
 * A tier's limits as middleware: concurrency and requests per minute by p-queue, tokens by a bucket. One
 * instance holds one set of limits, so every provider wrapped with it shares them.
 */
export function rateLimitMiddleware(limits: RateLimits): ProviderMiddleware | undefined {
  if (
    limits.maxConcurrent === undefined &&
    limits.requestsPerMinute === undefined &&
    limits.tokensPerMinute === undefined
  ) {
    return undefined;
  }
  // p-queue is loaded by the first tier with limits, not with the library (require of an ES module
  // works from Node 20.19, the oldest this package supports).
  const { default: Queue } = require('p-queue') as typeof import('p-queue');
  const queue: PQueue = new Queue({
    concurrency: limits.maxConcurrent ?? Infinity,
    ...(limits.requestsPerMinute !== undefined && {
      intervalCap: limits.requestsPerMinute,
      interval: 60_000,
      strict: true,
    }),
  });
  const bucket = limits.tokensPerMinute === undefined ? undefined : new TokenBucket(limits.tokensPerMinute);
  // Build the tokenizer now, not on the first call of the run.
  if (bucket) loadTokenizer();
  return {
    name: 'rate-limits',
    wrapComplete(next, request, options) {
      return queue.add(
        async () => {
          if (bucket) await bucket.take(countMessageTokens(request.messages) + (request.params?.maxTokens ?? 0));
          return next(request, options);
        },
        options.signal ? { signal: options.signal } : {},
      ) as Promise<Completion>;
    },
  };
}

/** The same provider behind a tier's limits. */
export function withRateLimits(provider: Provider, limits: RateLimits): Provider {
  const limiting = rateLimitMiddleware(limits);
  return limiting ? wrapProvider(provider, [limiting]) : provider;
}
