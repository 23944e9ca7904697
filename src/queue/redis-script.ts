import type { Redis } from 'ioredis';

type ScriptCall = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script run atomically on Redis by its digest, sent again by ioredis when Redis answers
 * NOSCRIPT (after a restart), so callers never see the difference.
 */
export function redisScript(redis: Redis, name: string, lua: string): ScriptCall {
  const command = `fc_${name}`;
  const commands = redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  if (!commands[command]) redis.defineCommand(command, { lua });
  return (keys, args) => commands[command]!(keys.length, ...keys, ...args);
}

/** Redis's clock in ms, the same for every worker (the scripts' `now`). */
export const redisNowLua = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
