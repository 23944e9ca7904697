import type { Redis } from 'ioredis';
import { abortableSleep } from '../common/abortable-sleep.js';
import { AbortedError } from '../errors/index.js';
import type { SharedBudget } from '../spec/budget.js';
import { redisNowLua, redisScript } from './redis-script.js';
import { runKeys } from './run-keys.js';

/** What dead workers held is counted as spent (their calls may have been billed) before anything else. */
const reapLua = `
${redisNowLua}
for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  local held = tonumber(redis.call('HGET', KEYS[2], worker) or '0')
  if held > 0 then
    redis.call('HINCRBYFLOAT', KEYS[1], 'reserved', -held)
    redis.call('HINCRBYFLOAT', KEYS[1], 'spent', held)
  end
  redis.call('HDEL', KEYS[2], worker)
  redis.call('ZREM', KEYS[3], worker)
end
local function clampReserved()
  local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
  if reserved < 1e-12 then redis.call('HSET', KEYS[1], 'reserved', '0'); return 0 end
  return reserved
end
`;

const reserveLua = `${reapLua}
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or '-1')
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local reserved = clampReserved()
local amount = tonumber(ARGV[2])
if limit >= 0 and spent + reserved + amount <= limit + 1e-15 then
  redis.call('HINCRBYFLOAT', KEYS[1], 'reserved', amount)
  redis.call('HINCRBYFLOAT', KEYS[2], ARGV[1], amount)
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
  return {1, tostring(limit), tostring(spent), tostring(reserved + amount)}
end
return {0, tostring(limit), tostring(spent), tostring(reserved)}
`;

// A worker whose lease was reaped (it stalled past it) had its holdings counted as spent at their worst
// case already: settling then only adds what it holds now, never takes more than that back.
const settleLua = `${reapLua}
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local reservedAmount = tonumber(ARGV[2])
local take = math.min(held, reservedAmount)
if take > 0 then
  redis.call('HINCRBYFLOAT', KEYS[2], ARGV[1], -take)
  redis.call('HINCRBYFLOAT', KEYS[1], 'reserved', -take)
end
if take > 0 or reservedAmount == 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'spent', ARGV[3]) end
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or '-1')
return {1, tostring(limit), redis.call('HGET', KEYS[1], 'spent') or '0', tostring(clampReserved())}
`;

const renewLua = `${redisNowLua}
if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') > 0 then
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
end
return 1
`;

/** Create (or change the limit of) a run's budget. */
export async function setBudgetLimit(redis: Redis, runId: string, limitUsd: number): Promise<void> {
  await redis.hset(runKeys(runId).budget, 'limit', String(limitUsd));
}

export async function readBudget(
  redis: Redis,
  runId: string,
): Promise<{ limitUsd: number; spentUsd: number; reservedUsd: number } | undefined> {
  const fields = await redis.hgetall(runKeys(runId).budget);
  if (fields['limit'] === undefined) return undefined;
  return {
    limitUsd: Number(fields['limit']),
    spentUsd: Number(fields['spent'] ?? 0),
    reservedUsd: Math.max(0, Number(fields['reserved'] ?? 0)),
  };
}

export interface RedisBudgetOptions {
  /** Names this worker's holdings; unique per process. */
  workerId: string;
  /** A worker that has not renewed its lease for this long is taken for dead. @default 30000 */
  leaseMs?: number;
}

/**
 * A run budget in Redis, shared by every worker of the run with the semantics of `RunBudget`: an atomic
 * script reserves a call's worst case only if reserved plus spent stays within the limit, settling
 * releases it against the real cost, and a reservation that does not fit yet waits while other calls
 * are in flight anywhere. Each worker's holdings sit under a lease it renews; when a worker dies, what
 * it held is counted as spent, since those calls may have been billed, so spending never passes the limit.
 */
export class RedisRunBudget implements SharedBudget {
  limitUsd = Infinity;
  private spentUsd = 0;
  private reservedUsd = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private failure: unknown;
  private readonly keys: string[];
  private readonly leaseMs: number;
  private readonly reserveScript;
  private readonly settleScript;
  private readonly renewScript;
  private readonly renewTimer: NodeJS.Timeout;

  constructor(
    redis: Redis,
    runId: string,
    private readonly options: RedisBudgetOptions,
  ) {
    const keys = runKeys(runId);
    this.keys = [keys.budget, keys.held, keys.leases];
    this.leaseMs = options.leaseMs ?? 30_000;
    this.reserveScript = redisScript(redis, 'budget_reserve', reserveLua);
    this.settleScript = redisScript(redis, 'budget_settle', settleLua);
    this.renewScript = redisScript(redis, 'budget_renew', renewLua);
    this.renewTimer = setInterval(() => {
      this.track(this.renewScript(this.keys, [this.options.workerId, this.leaseMs]));
    }, this.leaseMs / 4);
    this.renewTimer.unref();
  }

  get remaining(): number {
    return Math.max(0, this.limitUsd - this.spentUsd - this.reservedUsd);
  }

  async reserve(amount: number): Promise<boolean> {
    const reply = (await this.reserveScript(this.keys, [this.options.workerId, amount, this.leaseMs])) as string[];
    this.learn(reply);
    return Number(reply[0]) === 1;
  }

  async reserveWhenPossible(amount: number, signal?: AbortSignal): Promise<boolean> {
    for (let waitMs = 10; ; waitMs = Math.min(250, waitMs * 2)) {
      if (signal?.aborted) throw new AbortedError();
      if (await this.reserve(amount)) return true;
      // As in RunBudget: spending only grows, so what is over the unspent part never fits; otherwise
      // calls in flight (on any worker) may settle for less than they hold.
      if (!(this.reservedUsd > 0 && this.spentUsd + amount <= this.limitUsd + 1e-15)) return false;
      await abortableSleep(waitMs, signal);
    }
  }

  settle(reserved: number, actual: number): void {
    const cost = Number.isFinite(actual) && actual >= 0 ? actual : reserved;
    this.track(
      this.settleScript(this.keys, [this.options.workerId, reserved, cost]).then((reply) =>
        this.learn(reply as string[]),
      ),
    );
  }

  charge(amount: number): void {
    if (!(Number.isFinite(amount) && amount > 0)) return;
    this.track(
      this.settleScript(this.keys, [this.options.workerId, 0, amount]).then((reply) => this.learn(reply as string[])),
    );
  }

  /** Wait until every settle sent so far is in Redis; throws if one failed. Call before a job completes. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  close(): void {
    clearInterval(this.renewTimer);
  }

  private track(operation: Promise<unknown>): void {
    const tracked = operation.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private learn(reply: string[]): void {
    const limit = Number(reply[1]);
    this.limitUsd = limit < 0 ? Infinity : limit;
    this.spentUsd = Number(reply[2]);
    this.reservedUsd = Math.max(0, Number(reply[3]));
  }
}
