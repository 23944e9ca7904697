import type { Redis } from 'ioredis';
import { ConfigError } from '../errors/index.js';
import { registerSecret } from '../common/secrets.js';

/** How long a connection keeps trying to reach a Redis that went away before its commands fail. */
export const defaultGiveUpMs = 60_000;

/** `redis://user:secret@host:6379/0` as `redis://user:***@host:6379/0`: the password is never printed. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a Redis URL that does not parse)';
  }
}

/** Refuse anything but `redis://` and `rediss://` URLs, naming the flag. */
export function checkRedisUrl(url: string, flag = '--queue'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${flag}: expected a Redis URL like redis://127.0.0.1:6379, got \`${url}\``, { field: flag });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new ConfigError(
      `${flag}: expected a redis:// or rediss:// URL, got ${parsed.protocol}// (${redactedRedisUrl(url)})`,
      {
        field: flag,
      },
    );
  if (parsed.password) registerSecret(decodeURIComponent(parsed.password));
  return parsed;
}

/**
 * A connection to Redis that rides out a restart: commands wait while it reconnects (BullMQ needs
 * that), but only for `giveUpMs`; a Redis gone for longer fails every command waiting on it with an
 * error naming the host, so nothing hangs for ever.
 */
export async function connectRedis(
  url: string,
  options: { giveUpMs?: number; onNotice?: (message: string) => void; autoPipelining?: boolean } = {},
): Promise<Redis> {
  checkRedisUrl(url);
  const { Redis } = await import('ioredis');
  const giveUpMs = options.giveUpMs ?? defaultGiveUpMs;
  let downSince: number | undefined;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Commands issued in the same tick go out in one write: many jobs in flight make many small commands.
    enableAutoPipelining: options.autoPipelining === true,
    lazyConnect: true,
    retryStrategy: () => {
      downSince ??= Date.now();
      if (Date.now() - downSince > giveUpMs) {
        options.onNotice?.(
          `Redis at ${redactedRedisUrl(url)} unreachable for ${Math.round(giveUpMs / 1000)} s: giving up`,
        );
        return null;
      }
      return 250;
    },
  });
  redis.on('ready', () => {
    downSince = undefined;
  });
  // Errors surface on the commands that wait on the connection; the event alone must not crash the process.
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new ConfigError(
      `cannot reach Redis at ${redactedRedisUrl(url)}: ${(lastError ?? (error as Error)).message.replace(/\.$/, '')}. Start one (\`redis-server\`, or \`apt-get install -y redis-server\`) or fix --queue.`,
      { field: '--queue' },
    );
  }
  return redis;
}
