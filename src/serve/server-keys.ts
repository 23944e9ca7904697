import { createHash, timingSafeEqual } from 'node:crypto';
import type { Environment } from '../spec/environment.js';

/** A key a client may call the server with. */
export interface ServerKey {
  /** Names the key in logs and errors; never the key itself. */
  name: string;
  /** The key's SHA-256 (hex), so the key itself need not be stored. */
  sha256?: string;
  /** Or the environment variable that holds the key. */
  env?: string;
  /** Most this key may spend per UTC day, in USD. */
  dailyUsd?: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The key a bearer token is, or undefined. Compared by digest in constant time. */
export function findKey(keys: readonly ServerKey[], token: string, env: Environment): ServerKey | undefined {
  const presented = digest(token);
  for (const key of keys) {
    const expected = key.sha256
      ? Buffer.from(key.sha256, 'hex')
      : key.env && env[key.env]
        ? digest(env[key.env]!)
        : undefined;
    if (expected && expected.length === presented.length && timingSafeEqual(expected, presented)) return key;
  }
  return undefined;
}

/** What each key spent per UTC day: kept in memory, or in a file so it survives a restart. */
export interface KeySpendLedger {
  spentToday(key: ServerKey): number;
  add(key: ServerKey, usd: number): void;
  close?(): void;
}

/** The UTC day a spend is counted in: `2026-12-02`. */
export const utcDay = (now: number) => new Date(now).toISOString().slice(0, 10);

/** Spend per key per UTC day, in memory (gone with the process; `SqliteKeySpend` keeps it). */
export class KeySpend implements KeySpendLedger {
  private readonly spent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  private slot(key: ServerKey): string {
    return `${key.name}@${utcDay(this.now())}`;
  }

  spentToday(key: ServerKey): number {
    return this.spent.get(this.slot(key)) ?? 0;
  }

  add(key: ServerKey, usd: number): void {
    const slot = this.slot(key);
    this.spent.set(slot, (this.spent.get(slot) ?? 0) + usd);
  }
}
