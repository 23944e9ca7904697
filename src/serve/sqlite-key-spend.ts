import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { ConfigError } from '../errors/index.js';
import { type KeySpendLedger, type ServerKey, utcDay } from './server-keys.js';

/**
 * Spend per key per UTC day in a SQLite file (libsql, as the cache's store): a restarted server, or a
 * second one on the same file, counts what the day's requests already spent. Each add is one atomic
 * upsert, so servers sharing the file never lose one.
 */
export class SqliteKeySpend implements KeySpendLedger {
  private readonly db: Database.Database;
  private readonly read: Database.Statement;
  private readonly write: Database.Statement;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS key_spend (key TEXT NOT NULL, day TEXT NOT NULL, usd REAL NOT NULL, PRIMARY KEY (key, day))',
      );
    } catch (error) {
      throw new ConfigError(
        `--spend-store: cannot open ${file} as the keys' spend ledger: ${error instanceof Error ? error.message : String(error)}. Give another file with --spend-store.`,
        { field: '--spend-store' },
      );
    }
    this.read = this.db.prepare('SELECT usd FROM key_spend WHERE key = ? AND day = ?');
    this.write = this.db.prepare(
      'INSERT INTO key_spend (key, day, usd) VALUES (?, ?, ?) ON CONFLICT (key, day) DO UPDATE SET usd = usd + excluded.usd',
    );
  }

  spentToday(key: ServerKey): number {
    const row = this.read.get(key.name, utcDay(this.now())) as { usd: number } | undefined;
    return row?.usd ?? 0;
  }

  add(key: ServerKey, usd: number): void {
    if (Number.isFinite(usd) && usd > 0) this.write.run(key.name, utcDay(this.now()), usd);
  }

  close(): void {
    this.db.close();
  }
}
