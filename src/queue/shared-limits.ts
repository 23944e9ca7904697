import type { Redis } from 'ioredis';
import { abortableSleep } from '../common/abortable-sleep.js';
import { randomUUID } from 'node:crypto';
import { RateLimitError } from '../errors/index.js';
import type { RateLimits } from '../middleware/rate-limits.js';
import type { CompleteCall, ProviderMiddleware } from '../spec/middleware.js';
import { countMessageTokens, loadTokenizer } from '../tokens/count-tokens.js';
import { redisNowLua, redisScript } from './redis-script.js';

/**
 * Take one call's room under a tier's limits, for every worker at once; returns 0 when taken, else how
 * long to wait. KEYS: state hash (pause, token bucket), leases (calls in flight, scored by expiry), starts
 * (the last minute's call starts). ARGV: lease id, lease ms, maxConcurrent, requestsPerMinute,
 * tokensPerMinute, tokens of this call (0 for no limit).
 */
const acquireLua = `${redisNowLua}
local pausedUntil = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if pausedUntil > now then return pausedUntil - now end
local maxConcurrent = tonumber(ARGV[3])
local perMinute = tonumber(ARGV[4])
local tokensPerMinute = tonumber(ARGV[5])
if maxConcurrent > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= maxConcurrent then return 20 end
end
if perMinute > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60000)
  if redis.call('ZCARD', KEYS[3]) >= perMinute then
    local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + 60000 - now)
  end
end
if tokensPerMinute > 0 then
  local need = math.min(tonumber(ARGV[6]), tokensPerMinute)
  local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or tostring(tokensPerMinute))
  local at = tonumber(redis.call('HGET', KEYS[1], 'tokensAt') or tostring(now))
  tokens = math.min(tokensPerMinute, tokens + (now - at) * tokensPerMinute / 60000)
  if tokens < need then
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'tokensAt', tostring(now))
    return math.max(1, math.ceil((need - tokens) * 60000 / tokensPerMinute))
  end
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - need), 'tokensAt', tostring(now))
end
if maxConcurrent > 0 then redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1]) end
if perMinute > 0 then
  redis.call('ZADD', KEYS[3], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[3], 120000)
end
return 0
`;

/** A 429's retry-after pauses the tier for every worker: the pause only ever moves later. */
const pauseLua = `${redisNowLua}
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0') then
  redis.call('HSET', KEYS[1], 'pausedUntil', tostring(untilMs))
end
return 1
`;

export interface SharedLimitsOptions {
  /** Keys are named after it: workers of the same queue share limits. */
  scope: string;
  /** A call in flight on a worker that died stops counting after this long. @default 120000 */
  leaseMs?: number;
}

/**
 * An endpoint's `maxConcurrent`, `requestsPerMinute` and `tokensPerMinute`, shared by every worker in
 * Redis (one atomic script per call start), and a 429 with `retry-after` pausing that endpoint for all of
 * them. The same fields mean the same as in one process (rate-limits.ts); a call waits for room, never fails for it.
 */
export function sharedLimiter(redis: Redis, options: SharedLimitsOptions) {
  const acquire = redisScript(redis, 'limits_acquire', acquireLua);
  const pauseAll = redisScript(redis, 'limits_pause', pauseLua);
  const leaseMs = options.leaseMs ?? 120_000;
  return (label: string, limits: RateLimits): ProviderMiddleware => {
    const base = `fc:{limits:${options.scope}:${label}}`;
    const keys = [`${base}:state`, `${base}:leases`, `${base}:starts`];
    if (limits.tokensPerMinute !== undefined) loadTokenizer();
    const limited =
      limits.maxConcurrent !== undefined ||
      limits.requestsPerMinute !== undefined ||
      limits.tokensPerMinute !== undefined;
    let pause: { readAt: number; until: Promise<number> } | undefined;
    const pauseOf = (): Promise<number> => {
      const now = Date.now();
      if (!pause || now - pause.readAt > 200) {
        // Redis's clock as this machine's: the same clock on one machine, close enough (ms) across a network.
        const until = redis.hget(keys[0]!, 'pausedUntil').then(
          (value) => Number(value ?? 0),
          () => 0,
        );
        pause = { readAt: now, until };
      }
      return pause.until;
    };
    const withPauseOn429 = async (call: () => ReturnType<CompleteCall>): ReturnType<CompleteCall> => {
      try {
        return await call();
      } catch (error) {
        if (RateLimitError.isInstance(error) && error.retryAfterMs !== undefined && error.retryAfterMs > 0) {
          await pauseAll(keys, [Math.ceil(error.retryAfterMs)]).catch(() => undefined);
          pause = undefined;
        }
        throw error;
      }
    };
    return {
      name: 'shared-rate-limits',
      async wrapComplete(next, request, callOptions) {
        if (!limited) {
          // No limits to count: only another worker's 429 pause applies, read at most every 200 ms.
          const pausedForMs = (await pauseOf()) - Date.now();
          if (pausedForMs > 0) await abortableSleep(pausedForMs, callOptions.signal);
          return withPauseOn429(() => next(request, callOptions));
        }
        const lease = randomUUID();
        const tokens =
          limits.tokensPerMinute === undefined
            ? 0
            : countMessageTokens(request.messages) + (request.params?.maxTokens ?? 0);
        for (;;) {
          const waitMs = Number(
            await acquire(keys, [
              lease,
              leaseMs,
              limits.maxConcurrent ?? 0,
              limits.requestsPerMinute ?? 0,
              limits.tokensPerMinute ?? 0,
              tokens,
            ]),
          );
          if (waitMs <= 0) break;
          await abortableSleep(waitMs, callOptions.signal);
        }
        try {
          return await withPauseOn429(() => next(request, callOptions));
        } finally {
          if (limits.maxConcurrent !== undefined) await redis.zrem(keys[1]!, lease).catch(() => undefined);
        }
      },
    };
  };
}
