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
export function callMemo(redis: Redis, runId: string, itemKey: string): (tier: string) => ProviderMiddleware[] {
  const keys = runKeys(runId);
  return (tier) => [
    {
      name: 'queue-call-memo',
      async wrapComplete(next, request, options, provider) {
        const callHash = sha256(
          canonicalJson({ runId, itemKey, tier, model: provider.model, request: { ...request, id: undefined } }),
        ).slice(0, 32);
        const key = keys.memo(callHash);
        const saved = await redis.get(key);
        if (saved !== null) return { ...(JSON.parse(saved) as Completion), memoised: true };
        const completion = await next(request, { ...options, idempotencyKey: `fc-${callHash}` });
        await redis.set(key, JSON.stringify(completion), 'EX', memoTtlSeconds);
        return completion;
      },
    },
  ];
}
