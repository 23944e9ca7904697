import { mkdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { redactSecrets } from '../common/secrets.js';
import { CascadeError } from '../errors/index.js';
import { join, resolve } from 'node:path';
import { cutShort } from './sqlite-header.js';
import Database from 'libsql';

/** What the cache keeps of an accepted answer. */
export interface CachedAnswer {
  text: string;
  value?: unknown;
  tier?: string;
  model?: string;
  /** What the answer cost when it was made: what each hit saves. */
  costUsd: number;
}

export interface CacheEntry {
  id: number;
  namespace: string;
  key: string;
  context: string;
  query: string;
  answer: CachedAnswer;
  createdAt: number;
  expiresAt: number | undefined;
  hits: number;
  embedder: string | undefined;
}

export interface NewCacheEntry {
  namespace: string;
  key: string;
  context: string;
  query: string;
  answer: CachedAnswer;
  expiresAt: number | undefined;
  embedder?: string;
  vector?: Float32Array;
}

/**
 * A statement with the types of its parameters and rows: libsql's typings (taken from better-sqlite3 7)
 * type every row as unknown. Unlike better-sqlite3, libsql reads a lone object argument (a Buffer
 * too) as named parameters: bind a blob by name, as `insert` does.
 */
interface Query<Params extends unknown[], Result> {
  get(...params: Params): Result | undefined;
  all(...params: Params): Result[];
  iterate(...params: Params): IterableIterator<Result>;
  run(...params: Params): Database.RunResult;
}

function query<Params extends unknown[], Result = unknown>(db: Database.Database, sql: string) {
  return db.prepare(sql) as unknown as Query<Params, Result>;
}

interface Row {
  id: number;
  namespace: string;
  key: string;
  context: string;
  query: string;
  answer: string;
  created_at: number;
  expires_at: number | null;
  hits: number;
  embedder: string | null;
  /** libsql gives a blob as a Buffer from `get` and as an ArrayBuffer from `iterate` and `all`. */
  vector?: Buffer | ArrayBuffer | null;
}

/** A stored vector, copied into its own aligned buffer. */
function floatsOf(blob: Buffer | ArrayBuffer): Float32Array {
  if (blob instanceof ArrayBuffer) return new Float32Array(blob.slice(0));
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

// What an entry is read as (its vector is read apart: to build the index, and to check a semantic candidate).
const entryColumns = 'id, namespace, key, context, query, answer, created_at, expires_at, hits, embedder';

/** Notices go to Node's warning channel unless the caller takes them. */
const defaultNotice = (message: string) => process.emitWarning(message, 'CascadeCacheWarning');

/**
 * SQLite's own word that a file is not a database, or a damaged one. libsql passes SQLite's primary
 * code through (random bytes: SQLITE_NOTADB; a file cut short: SQLITE_CORRUPT), as better-sqlite3 did.
 */
function isDamagedDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    code === 'SQLITE_NOTADB' ||
    code === 'SQLITE_CORRUPT' ||
    (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))
  );
}

/** Open (or create) a store and its table; reading the schema is what finds a damaged file. */
function openDatabase(file: string): Database.Database {
  const cut = cutShort(file);
  if (cut) throw Object.assign(new Error(cut), { code: 'SQLITE_CORRUPT' });
  // A file that is not a database is found by the first statement below, not by the constructor.
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS entries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      namespace TEXT NOT NULL,
      key TEXT NOT NULL,
      context TEXT NOT NULL,
      query TEXT NOT NULL,
      answer TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER,
      hits INTEGER NOT NULL DEFAULT 0,
      embedder TEXT,
      vector BLOB,
      UNIQUE (namespace, key)
    );
    CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries (expires_at);`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Saves in one transaction at most: one write lock held for a turn, however long the turn. */
const savesPerCommit = 256;

/** Per file, the store of this process with saves not yet committed (in-memory stores are each their own). */
const writing = new Map<string, CacheStore>();

/** The file a store folder keeps its entries in. */
export const storeFileName = 'cache.sqlite';

/**
 * The persistent side of the response cache: SQLite (libsql's build of it) in a folder (WAL, so a killed process loses at
 * most the saves of its last turn, see `put`, and never corrupts the rest), or in memory when no folder is given.
 * Embedded, no server.
 */
export class CacheStore {
  readonly file: string;
  /** The folder of a persistent store. */
  readonly folder: string | undefined;
  private readonly db: Database.Database;
  private readonly statements;
  private readonly pendingHits = new Map<number, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Ids of the saves in the open transaction. */
  private uncommitted: number[] = [];
  /** The connection's last inserted row id as the last save found it, undefined after a failed one (see `put`). */
  private lastInsertedId: number | undefined = 0;
  private readonly commitSoon = () => {
    if (this.db.open) this.commitSaves();
  };
  /** At exit a notice through `process.emitWarning` would never print: a loss is written to stderr at once. */
  private readonly commitOnExit = () => {
    if (this.db.open) this.commitSaves(writeToStderr);
  };
  /**
   * Told the ids of saves that were returned by `put` but never committed (the commit failed: disk full,
   * an I/O error), so whoever indexed them can drop them. The store names the loss through its notice.
   */
  onSavesLost: ((ids: readonly number[]) => void) | undefined;

  constructor(
    folder: string | undefined,
    private readonly onNotice: (message: string) => void = defaultNotice,
  ) {
    if (folder === undefined) {
      this.file = ':memory:';
      this.folder = undefined;
    } else {
      this.folder = resolve(folder);
      mkdirSync(this.folder, { recursive: true });
      this.file = join(this.folder, storeFileName);
    }
    try {
      this.db = openDatabase(this.file);
    } catch (error) {
      // A store that is not a database (truncated, overwritten, random bytes) would stop every run, `cache
      // clear` included: it is moved aside, named, and an empty one takes its place.
      if (this.folder === undefined || !isDamagedDatabase(error)) {
        throw new CascadeError(`cannot open the cache store ${this.file}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const aside = `${this.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(this.file, aside);
      for (const suffix of ['-wal', '-shm']) rmSync(`${this.file}${suffix}`, { force: true });
      this.db = openDatabase(this.file);
      onNotice(
        `the cache store ${this.file} was not a readable database (${(error as Error).message}); it was moved to ${aside} and an empty store was started`,
      );
    }
    this.statements = {
      byKey: query<[string, string], Row>(
        this.db,
        `SELECT ${entryColumns} FROM entries WHERE namespace = ? AND key = ?`,
      ),
      byId: query<[number], Row>(this.db, `SELECT ${entryColumns} FROM entries WHERE id = ?`),
      byIdWithVector: query<[number], Row>(this.db, `SELECT ${entryColumns}, vector FROM entries WHERE id = ?`),
      insert: query<[Record<string, unknown>], never>(
        this.db,
        `INSERT INTO entries (namespace, key, context, query, answer, created_at, expires_at, embedder, vector)
        VALUES (@namespace, @key, @context, @query, @answer, @createdAt, @expiresAt, @embedder, @vector)
        ON CONFLICT (namespace, key) DO UPDATE SET answer = excluded.answer, created_at = excluded.created_at, expires_at = excluded.expires_at,
          embedder = excluded.embedder, vector = excluded.vector, hits = 0`,
      ),
      idByKey: query<[string, string], { id: number }>(
        this.db,
        'SELECT id FROM entries WHERE namespace = ? AND key = ?',
      ),
      hit: query<[number, number], never>(this.db, 'UPDATE entries SET hits = hits + ? WHERE id = ?'),
      vectors: query<[string, string, number], Pick<Row, 'id' | 'context' | 'vector'>>(
        this.db,
        'SELECT id, context, vector FROM entries WHERE namespace = ? AND embedder = ? AND vector IS NOT NULL AND (expires_at IS NULL OR expires_at > ?)',
      ),
      vectorContexts: query<[string, string, number], Pick<Row, 'id' | 'context'>>(
        this.db,
        'SELECT id, context FROM entries WHERE namespace = ? AND embedder = ? AND vector IS NOT NULL AND (expires_at IS NULL OR expires_at > ?)',
      ),
      purge: query<[number], { id: number }>(
        this.db,
        'DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ? RETURNING id',
      ),
      count: query<[string], { count: number }>(this.db, 'SELECT COUNT(*) AS count FROM entries WHERE namespace = ?'),
      oldest: query<[string, number], { id: number }>(
        this.db,
        'DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE namespace = ? ORDER BY created_at, id LIMIT ?) RETURNING id',
      ),
    };
  }

  get(namespace: string, key: string, now: number): CacheEntry | undefined {
    return this.live(this.statements.byKey.get(namespace, key), now);
  }

  getById(id: number, now: number): CacheEntry | undefined {
    return this.live(this.statements.byId.get(id), now);
  }

  /** The entry with its stored vector (undefined for an entry saved without one). */
  getWithVector(id: number, now: number): { entry: CacheEntry; vector: Float32Array | undefined } | undefined {
    const row = this.statements.byIdWithVector.get(id);
    const entry = this.live(row, now);
    return entry && { entry, vector: row?.vector ? floatsOf(row.vector) : undefined };
  }

  /**
   * Count a hit. Counts are written a second later in one transaction, and on close: a write per hit
   * would double a hit's latency, and hit counts are statistics, not answers.
   */
  recordHit(id: number): void {
    this.pendingHits.set(id, (this.pendingHits.get(id) ?? 0) + 1);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flushHits(), 1000);
    this.flushTimer.unref();
  }

  private flushHits(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingHits.size === 0 || !this.db.open) return;
    const hits = [...this.pendingHits];
    this.pendingHits.clear();
    this.beforeWrite();
    this.commitSaves();
    try {
      this.db.transaction(() => {
        for (const [id, count] of hits) this.statements.hit.run(count, id);
      })();
    } catch (error) {
      // Hit counts are statistics: a store another process holds locked too long costs them, not the run.
      this.onNotice(
        `the cache store ${this.file} did not record ${hits.length} hit counts: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Insert or replace the entry under its key; returns its id. The save is committed with the others of
   * this event-loop turn (at most `savesPerCommit`), at the end of the turn, before the process exits, or
   * by `close`: a commit is a WAL append that cost 130 us a save when each was its own. This connection
   * reads what it saved at once; other processes sharing the store, from the commit.
   */
  put(entry: NewCacheEntry, now: number): number {
    // Everything that can fail before SQL does so first: a save that cannot be made must not end the
    // transaction that holds this turn's other saves.
    const row = rowOf(entry, now);
    // A full transaction is committed before the next save, never right after one: a commit that fails
    // inside `put` would report lost the very id `put` is about to return.
    if (this.uncommitted.length >= savesPerCommit) this.commitSaves();
    // Saves whose transaction a failed statement elsewhere (a purge on a full disk) already ended.
    if (this.uncommitted.length > 0 && !this.db.inTransaction)
      this.lost(new Error('their transaction was ended by a failed statement'));
    if (this.uncommitted.length === 0) {
      this.beforeWrite();
      if (!this.db.inTransaction) this.db.exec('BEGIN IMMEDIATE');
      if (this.folder !== undefined) writing.set(this.file, this);
      process.on('exit', this.commitOnExit);
      setImmediate(this.commitSoon).unref();
    }
    try {
      // `run`, then the id: an upsert's RETURNING (through libsql's `get`) left its transaction to be
      // committed by the next statement and cost 106 us a save against 57 (20,000 saves in a WAL store).
      // A new row's id is the connection's last inserted one, which then differs from the last one a save
      // saw; an upsert that replaced a row leaves it as it was, and the id is read by key (as it is when
      // the two are equal for another reason: an id handed out again after a rollback).
      const inserted = Number(this.statements.insert.run(row).lastInsertRowid);
      const id =
        this.lastInsertedId !== undefined && inserted !== this.lastInsertedId
          ? inserted
          : this.statements.idByKey.get(entry.namespace, entry.key)!.id;
      this.lastInsertedId = inserted;
      this.uncommitted.push(id);
      return id;
    } catch (error) {
      // A statement that failed after its insert began leaves the connection's last inserted id at a row
      // that is not there: until a save succeeds again, ids are read by key.
      this.lastInsertedId = undefined;
      // A failed statement undoes itself; some failures (disk full, I/O) end the whole transaction.
      if (!this.db.inTransaction) this.lost(error);
      else if (this.uncommitted.length === 0) this.rollBack();
      throw error;
    }
  }

  /**
   * Commit the saves not yet committed. Never throws: when the commit fails, the store names the loss
   * and tells `onSavesLost` (a cache loses answers to ask again, not the run).
   */
  commitSaves(notice = this.onNotice): void {
    if (this.uncommitted.length === 0) return;
    try {
      this.db.exec('COMMIT');
      this.endWrite();
    } catch (error) {
      this.rollBack();
      this.lost(error, notice);
    }
  }

  /**
   * Before a write, another store of this process on the same file commits its open saves: it holds
   * the write lock until its turn ends, and this one would wait for it the busy timeout (5 s), blocking
   * the very thread that would end it.
   */
  private beforeWrite(): void {
    const other = this.folder === undefined ? undefined : writing.get(this.file);
    if (other && other !== this) other.commitSaves();
  }

  /** The open transaction's saves are gone (it failed, or was rolled back): say so, and which. */
  private lost(error: unknown, notice = this.onNotice): void {
    const ids = this.uncommitted;
    this.endWrite();
    if (ids.length === 0) return;
    // Their ids go back to SQLite, which hands them out again: hits counted for them would land on others.
    for (const id of ids) this.pendingHits.delete(id);
    notice(
      `the cache store ${this.file} could not keep the ${ids.length} answers saved last (${(error as Error).message}); they will be asked again`,
    );
    this.onSavesLost?.(ids);
  }

  private rollBack(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // A transaction the failure already ended.
    }
    if (this.uncommitted.length === 0) this.endWrite();
  }

  private endWrite(): void {
    this.uncommitted = [];
    process.off('exit', this.commitOnExit);
    if (writing.get(this.file) === this) writing.delete(this.file);
  }

  /** Every live vector of a namespace made by one embedder, to build the index from. */
  *vectors(
    namespace: string,
    embedder: string,
    now: number,
  ): Generator<{ id: number; context: string; vector: Float32Array }> {
    for (const row of this.statements.vectors.iterate(namespace, embedder, now)) {
      yield { id: row.id, context: row.context, vector: floatsOf(row.vector!) };
    }
  }

  /** The context of every live entry with a vector: enough to use a saved index without reading the vectors. */
  vectorContexts(namespace: string, embedder: string, now: number): Map<number, string> {
    return new Map(this.statements.vectorContexts.all(namespace, embedder, now).map((row) => [row.id, row.context]));
  }

  /** Delete expired entries; returns their ids. */
  purgeExpired(now: number): number[] {
    this.beforeWrite();
    return this.statements.purge.all(now).map((row) => row.id);
  }

  /** Delete the oldest entries of a namespace beyond `maxEntries`; returns their ids. */
  trim(namespace: string, maxEntries: number): number[] {
    const excess = this.statements.count.get(namespace)!.count - maxEntries;
    if (excess <= 0) return [];
    this.beforeWrite();
    // Trim a little more than needed, so a full cache does not delete on every insert.
    return this.statements.oldest.all(namespace, excess + Math.ceil(maxEntries / 100)).map((row) => row.id);
  }

  stats(): {
    namespace: string;
    entries: number;
    semantic: number;
    hits: number;
    expired: number;
    oldest: number;
    newest: number;
  }[] {
    this.flushHits();
    return this.db
      .prepare(`SELECT namespace, COUNT(*) AS entries, SUM(vector IS NOT NULL) AS semantic, SUM(hits) AS hits,
        SUM(expires_at IS NOT NULL AND expires_at <= ?) AS expired, MIN(created_at) AS oldest, MAX(created_at) AS newest
        FROM entries GROUP BY namespace ORDER BY namespace`)
      .all(Date.now()) as never;
  }

  /** Delete every entry, or those of one namespace; returns how many. */
  clear(namespace?: string): number {
    this.beforeWrite();
    const statement =
      namespace === undefined
        ? this.db.prepare('DELETE FROM entries')
        : this.db.prepare('DELETE FROM entries WHERE namespace = ?');
    return (namespace === undefined ? statement.run() : statement.run(namespace)).changes;
  }

  *entries(namespace?: string): Generator<CacheEntry> {
    const statement = query<unknown[], Row>(
      this.db,
      `SELECT ${entryColumns} FROM entries${namespace === undefined ? '' : ' WHERE namespace = ?'} ORDER BY id`,
    );
    for (const row of namespace === undefined ? statement.iterate() : statement.iterate(namespace)) yield toEntry(row);
  }

  close(): void {
    if (!this.db.open) return;
    this.flushHits();
    this.commitSaves();
    this.beforeWrite();
    // better-sqlite3 moved the WAL into the database when the last connection closed; libsql's close
    // does not, so the WAL would keep what was written since the last auto-checkpoint. Checkpoint here.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  private live(row: Row | undefined, now: number): CacheEntry | undefined {
    if (!row || (row.expires_at !== null && row.expires_at <= now)) return undefined;
    return toEntry(row);
  }
}

/** An entry as the insert statement takes it: its answer as JSON, and no key in its text. */
function rowOf(entry: NewCacheEntry, now: number): Record<string, unknown> {
  return {
    namespace: entry.namespace,
    key: entry.key,
    context: entry.context,
    query: redactSecrets(entry.query),
    answer: redactSecrets(JSON.stringify(entry.answer)),
    createdAt: now,
    expiresAt: entry.expiresAt ?? null,
    embedder: entry.embedder ?? null,
    vector: entry.vector ? Buffer.from(entry.vector.buffer, entry.vector.byteOffset, entry.vector.byteLength) : null,
  };
}

/** A line on stderr now, as a process exits; nothing when stderr is gone (a closed pipe). */
function writeToStderr(message: string): void {
  try {
    writeSync(2, `frugal-cascade: ${message}\n`);
  } catch {
    // Nowhere left to say it.
  }
}

function toEntry(row: Row): CacheEntry {
  return {
    id: row.id,
    namespace: row.namespace,
    key: row.key,
    context: row.context,
    query: row.query,
    answer: JSON.parse(row.answer) as CachedAnswer,
    createdAt: row.created_at,
    expiresAt: row.expires_at ?? undefined,
    hits: row.hits,
    embedder: row.embedder ?? undefined,
  };
}
