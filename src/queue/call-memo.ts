import type { Redis } from 'ioredis';
import { canonicalJson, sha256 } from '../common/canonical-json.js';
import type { Completion } from '../spec/completion.js';
import type { ProviderMiddleware } from '../spec/middleware.js';
import { runKeys } from './run-keys.js';

/** How long a run's memo of paid calls is kept after the call. */
const memoTtlSeconds = 7 * 24 * 3600;

/**
 * The calls of one queue job, memoised in Redis by run, item, tier and request hash. A job runs again
 * when its worker died (BullMQ delivers at least once); the calls its first run already paid for are
 * answered from here instead of being paid twice, and the answers, and so the gates' verdicts and the
 * path up the tiers, are the same. The memo is written before the call returns to the engine, so before
 * the job completes.
 *
 * Each call also carries its hash as the `Idempotency-Key`: a call cut off in flight by the worker's death
 * (answered, maybe billed, never memoised) is answered from the provider's record when it honours the key.
 */
export interface CallMemo {
  /** Middleware for the item's calls to `tier`. */
  middleware: (tier: string) => ProviderMiddleware[];
  /** Wait until every answer of this job is in the memo; call before the job's result is published. */
  flush(): Promise<void>;
}

/**
 * `mayHaveRun`: whether an earlier run of this job may have paid for calls (BullMQ started it before,
 * or a resumed collector enqueued it again). Only then is the memo read before each call: a first run
 * has nothing there, and skipping the read saves a round trip per call.
 */
export function callMemo(redis: Redis, runId: string, itemKey: string, mayHaveRun: boolean): CallMemo {
  const keys = runKeys(runId);
  const writes: Promise<unknown>[] = [];
  return {
    middleware: (tier) => [
      {
        name: 'queue-call-memo',
        async wrapComplete(next, request, options, provider) {
          const callHash = sha256(
            canonicalJson({ runId, itemKey, tier, model: provider.model, request: { ...request, id: undefined } }),
          ).slice(0, 32);
          const key = keys.memo(callHash);
          const saved = mayHaveRun ? await redis.get(key) : null;
          if (saved !== null) return { ...(JSON.parse(saved) as Completion), memoised: true };
          const completion = await next(request, { ...options, idempotencyKey: `fc-${callHash}` });
          // Sent now, awaited before the job's result is: the engine goes on meanwhile. A job that ends
          // without `flush` (aborted, or its connection closed) must not leave an unhandled rejection behind.
          const write = redis.set(key, JSON.stringify(completion), 'EX', memoTtlSeconds);
          write.catch(() => undefined);
          writes.push(write);
          return completion;
        },
      },
    ],
    flush: async () => {
      await Promise.all(writes);
    },
  };
}
