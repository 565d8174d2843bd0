/**
 * SqliteStorage: the SaStorage contract on one SQLite table (a file or `:memory:`), over
 * better-sqlite3 12.
 *
 * Table (created on first use unless `createTable: false`; DDL in `sqliteSchemaSql`):
 *   k TEXT PRIMARY KEY   the storage's prefix + the key (BINARY collation: compared as UTF-8 bytes)
 *   v TEXT NOT NULL      the value
 *   e INTEGER            deadline in epoch ms; NULL: persistent. Live while now <= e.
 * WITHOUT ROWID, plus a partial index on e for the expiry sweep. "Keys of this prefix" is the
 * primary-key range [prefix, successor(prefix)): no LIKE/GLOB escaping.
 *
 * Clock: one per store, the injected `clock` (default `Date.now()` of the process). Processes
 * sharing a file run on one machine, so they read the same system clock.
 *
 * better-sqlite3 is synchronous: each method runs its statements to completion before it
 * resolves, so in one process nothing interleaves with them. Across processes (one file opened by
 * several), SQLite's locks make each statement atomic: incr/decr is one UPSERT statement whose
 * step is computed by the kit's own counter rule (registered as the SQL function sa_step);
 * mset/mdel run in one BEGIN IMMEDIATE transaction; mget in one read transaction. A writer that
 * finds the file locked waits up to `busyTimeoutMs` (SQLite's busy handler), then rejects with
 * ConnectionError. A bounded periodic sweep deletes expired rows, re-checking the deadline in the
 * same statement.
 */
import Database from 'better-sqlite3';
import {
  assertEntryList,
  assertKeyList,
  assertWellFormedString,
  type Clock,
  checkKeyPrefix,
  compilePattern,
  type Entry,
  normalizeOptionalTtl,
  normalizeRequiredTtl,
  parseCanonicalInt64,
  SaStorageBase,
  StorageError,
  stepCounter,
  systemClock,
  type Ttl,
} from '../../conformance/contract/index.js';
import { type KeyRange, keyRange, literalHead } from '../sql/key-range.js';
import { checkSqlStorageOptions } from '../sql/options.js';
import { mapSqliteError } from './errors.js';

/** Settings of a SqliteStorage. */
export interface SqliteStorageOptions {
  /** Table name (default `sa_storage`), quoted as given. */
  table?: string;
  /** Create the table and its index if missing (default true). false: run `sqliteSchemaSql(table)` yourself. */
  createTable?: boolean;
  /** Time source in epoch ms for every deadline and comparison (default `Date.now`). */
  clock?: Clock;
  /**
   * How long a statement waits for another connection's lock before rejecting with
   * ConnectionError (default 5000 ms). The wait blocks the event loop (better-sqlite3 is synchronous).
   */
  busyTimeoutMs?: number;
  /** Period of the expiry sweep in ms (default 60000); 0 disables it. */
  sweepIntervalMs?: number;
  /** Most rows one sweep statement deletes (default 1000); a full batch is followed by another on the next turn. */
  sweepBatchSize?: number;
}

const DEFAULT_TABLE = 'sa_storage';
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const DEFAULT_SWEEP_BATCH = 1_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function invalid(message: string): StorageError {
  return new StorageError('OperationFailed', message);
}

function checkMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMEOUT_MS) {
    throw invalid(`invalid SqliteStorage option: ${name} must be a number of milliseconds`);
  }
  return Math.ceil(value);
}

function quoteIdentifier(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || !name.isWellFormed() || name.includes('\0')) {
    throw invalid('invalid SqliteStorage option: table must be a non-empty string');
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** The DDL the storage runs on first use (idempotent), for running it yourself with `createTable: false`. */
export function sqliteSchemaSql(table = DEFAULT_TABLE): string {
  const quoted = quoteIdentifier(table);
  return [
    `CREATE TABLE IF NOT EXISTS ${quoted} (k TEXT PRIMARY KEY, v TEXT NOT NULL, e INTEGER) WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_expiry_idx`)} ON ${quoted} (e) WHERE e IS NOT NULL`,
  ].join(';\n');
}

function preview(key: string): string {
  const shown = JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  return key.length > 64 ? `${shown} (${key.length} chars)` : shown;
}

/**
 * sa_step(value, delta): the stepped counter as a canonical decimal, or NULL when the value is
 * not a canonical int64 or the step leaves the int64 range (the caller then says which).
 */
function sqlStep(value: unknown, delta: unknown): string | null {
  if (typeof value !== 'string') return null;
  const current = parseCanonicalInt64(value);
  if (current === null) return null;
  const next = current + BigInt(delta as number);
  return next < INT64_MIN || next > INT64_MAX ? null : next.toString();
}

type Statement = Database.Statement<unknown[], Record<string, unknown>>;

interface Statements {
  readonly get: Statement;
  readonly set: Statement;
  readonly delete: Statement;
  readonly exists: Statement;
  readonly expire: Statement;
  readonly ttl: Statement;
  readonly step: Statement;
  readonly keys: readonly [bounded: Statement, unbounded: Statement];
  readonly clear: readonly [bounded: Statement, unbounded: Statement];
  readonly sweep: readonly [bounded: Statement, unbounded: Statement];
}

function prepareStatements(db: Database.Database, table: string): Statements {
  const prepare = (sql: string) => db.prepare(sql) as Statement;
  const live = '(e IS NULL OR e >= @now)';
  const ranged = (make: (range: string) => string): readonly [Statement, Statement] => [
    prepare(make('k >= @low AND k < @high')),
    prepare(make('k >= @low')),
  ];
  return {
    get: prepare(`SELECT v FROM ${table} WHERE k = @k AND ${live}`).pluck(),
    set: prepare(
      `INSERT INTO ${table} (k, v, e) VALUES (@k, @v, @e) ON CONFLICT (k) DO UPDATE SET v = excluded.v, e = excluded.e`,
    ),
    delete: prepare(`DELETE FROM ${table} WHERE k = @k`),
    exists: prepare(`SELECT 1 FROM ${table} WHERE k = @k AND ${live}`).pluck(),
    expire: prepare(`UPDATE ${table} SET e = @e WHERE k = @k AND ${live}`),
    ttl: prepare(`SELECT e FROM ${table} WHERE k = @k AND ${live}`),
    // One statement: a missing row starts at @fresh ('1' or '-1'), persistent; an expired row
    // restarts the same way; a live row is stepped by sa_step only when it holds a canonical int64
    // and the result stays in range (else no row comes back). The TTL is kept.
    step: prepare(
      `INSERT INTO ${table} (k, v, e) VALUES (@k, @fresh, NULL) ON CONFLICT (k) DO UPDATE SET ` +
        `v = CASE WHEN e < @now THEN excluded.v ELSE sa_step(v, @delta) END, ` +
        `e = CASE WHEN e < @now THEN NULL ELSE e END ` +
        `WHERE e < @now OR sa_step(v, @delta) IS NOT NULL RETURNING v`,
    ).pluck(),
    keys: ranged((range) => `SELECT k FROM ${table} WHERE ${range} AND ${live}`),
    clear: ranged((range) => `DELETE FROM ${table} WHERE ${range}`),
    // The deadline is checked again in the DELETE itself: nothing re-written meanwhile is lost.
    sweep: ranged(
      (range) =>
        `DELETE FROM ${table} WHERE k IN (SELECT k FROM ${table} WHERE e < @now AND ${range} LIMIT @limit) AND e < @now`,
    ),
  };
}

function closedError(): StorageError {
  return new StorageError('ConnectionError', 'SqliteStorage is closed');
}

function isDatabase(db: unknown): db is Database.Database {
  return (
    typeof db === 'object' &&
    db !== null &&
    typeof (db as Database.Database).prepare === 'function' &&
    typeof (db as Database.Database).function === 'function' &&
    typeof (db as Database.Database).transaction === 'function'
  );
}

/**
 * The SaStorage contract on one SQLite table (better-sqlite3 12). Open with
 * `SqliteStorage.open(file or ':memory:', keyPrefix)` or `fromDatabase(db, keyPrefix)`; storages
 * with different prefixes share the table and never see each other's keys.
 */
export class SqliteStorage extends SaStorageBase {
  readonly #db: Database.Database;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #range: KeyRange;
  readonly #clock: Clock;
  readonly #sql: Statements;
  readonly #sweepIntervalMs: number;
  readonly #sweepBatchSize: number;
  readonly #getMany: (keys: readonly string[], now: number) => (string | null)[];
  readonly #setMany: (items: ReadonlyMap<string, string>, deadline: number | null) => void;
  readonly #deleteMany: (keys: readonly string[]) => void;
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  private constructor(db: Database.Database, owned: boolean, prefix: string, options: SqliteStorageOptions) {
    super();
    const table = quoteIdentifier(options.table ?? DEFAULT_TABLE);
    this.#sweepIntervalMs = checkMs(options.sweepIntervalMs, 'sweepIntervalMs', DEFAULT_SWEEP_INTERVAL_MS);
    const batch = options.sweepBatchSize ?? DEFAULT_SWEEP_BATCH;
    if (!Number.isInteger(batch) || batch < 1) {
      throw invalid('invalid SqliteStorage option: sweepBatchSize must be a positive integer');
    }
    this.#sweepBatchSize = batch;
    this.#db = db;
    this.#owned = owned;
    this.#prefix = prefix;
    this.#range = keyRange(prefix);
    this.#clock = options.clock ?? systemClock;
    db.function('sa_step', { deterministic: true, directOnly: true }, sqlStep);
    if (options.createTable !== false) db.exec(sqliteSchemaSql(options.table ?? DEFAULT_TABLE));
    const sql = prepareStatements(db, table);
    this.#sql = sql;
    this.#getMany = db.transaction((keys: readonly string[], now: number) =>
      keys.map((k) => (sql.get.get({ k, now }) as string | undefined) ?? null),
    );
    const setMany = db.transaction((items: ReadonlyMap<string, string>, e: number | null) => {
      for (const [k, v] of items) sql.set.run({ k, v, e });
    });
    const deleteMany = db.transaction((keys: readonly string[]) => {
      for (const k of keys) sql.delete.run({ k });
    });
    // BEGIN IMMEDIATE: take the write lock (waiting up to the busy timeout) before the first write.
    this.#setMany = setMany.immediate;
    this.#deleteMany = deleteMany.immediate;
    this.#startSweeper();
  }

  /**
   * Opens (creating it if needed) a database file, or `:memory:` for a private in-memory
   * database. A file is put in WAL mode, so readers do not block the writer; processes that
   * open the same file share its keys, each step exact.
   */
  static async open(filename: string, keyPrefix = '', options: SqliteStorageOptions = {}): Promise<SqliteStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    const settings = checkSqlStorageOptions<SqliteStorageOptions>(options, 'SqliteStorage');
    if (typeof filename !== 'string' || filename.length === 0) {
      throw invalid('invalid SQLite filename: expected a path or ":memory:"');
    }
    const busyTimeoutMs = checkMs(settings.busyTimeoutMs, 'busyTimeoutMs', DEFAULT_BUSY_TIMEOUT_MS);
    let db: Database.Database | undefined;
    try {
      db = new Database(filename, { timeout: busyTimeoutMs });
      if (filename !== ':memory:') {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      return new SqliteStorage(db, true, prefix, settings);
    } catch (error) {
      db?.close();
      throw mapSqliteError(error, `cannot open SQLite database ${JSON.stringify(filename)}`, 'OperationFailed');
    }
  }

  /**
   * Uses an open better-sqlite3 database (borrowed: `close()` leaves it open). Its busy timeout
   * and journal mode stay its owner's; the storage registers its SQL function `sa_step` on it.
   */
  static async fromDatabase(
    db: Database.Database,
    keyPrefix = '',
    options: SqliteStorageOptions = {},
  ): Promise<SqliteStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    const settings = checkSqlStorageOptions<SqliteStorageOptions>(options, 'SqliteStorage');
    if (!isDatabase(db)) throw invalid('fromDatabase expects a better-sqlite3 Database');
    try {
      return new SqliteStorage(db, false, prefix, settings);
    } catch (error) {
      throw mapSqliteError(error, 'cannot use the SQLite database', 'OperationFailed');
    }
  }

  /** The prefix in front of every key in the table. */
  get keyPrefix(): string {
    return this.#prefix;
  }

  /** Stops the sweep and, when the storage opened the database, closes it. Afterwards every method rejects with ConnectionError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer !== undefined) clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    if (this.#owned) this.#db.close();
  }

  async get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    const k = this.#prefix + key;
    const now = this.#now();
    return this.#run('get', key, () => (this.#sql.get.get({ k, now }) as string | undefined) ?? null);
  }

  async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    assertWellFormedString(key, 'key');
    assertWellFormedString(value, 'value');
    const ttlMs = normalizeOptionalTtl(ttl);
    const e = ttlMs === null ? null : this.#now() + ttlMs;
    const k = this.#prefix + key;
    this.#run('set', key, () => this.#sql.set.run({ k, v: value, e }));
  }

  async delete(key: string): Promise<void> {
    assertWellFormedString(key, 'key');
    const k = this.#prefix + key;
    this.#run('delete', key, () => this.#sql.delete.run({ k }));
  }

  async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    const k = this.#prefix + key;
    const now = this.#now();
    return this.#run('exists', key, () => this.#sql.exists.get({ k, now }) !== undefined);
  }

  async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    const ttlMs = normalizeRequiredTtl(ttl);
    const k = this.#prefix + key;
    const now = this.#now();
    this.#run('expire', key, () => this.#sql.expire.run({ k, now, e: now + ttlMs }));
  }

  async ttl(key: string): Promise<number | null> {
    assertWellFormedString(key, 'key');
    const k = this.#prefix + key;
    const now = this.#now();
    const row = this.#run('ttl', key, () => this.#sql.ttl.get({ k, now }) as { e: number | null } | undefined);
    return row === undefined || row.e === null ? null : row.e - now;
  }

  async clear(): Promise<void> {
    const { low, high } = this.#range;
    this.#run('clear', undefined, () =>
      high === null ? this.#sql.clear[1].run({ low }) : this.#sql.clear[0].run({ low, high }),
    );
  }

  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    if (keys.length === 0) return [];
    const stored = keys.map((key) => this.#prefix + key);
    const now = this.#now();
    return this.#run('mget', undefined, () => this.#getMany(stored, now));
  }

  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    const ttlMs = normalizeOptionalTtl(ttl);
    if (items.length === 0) return;
    const last = new Map<string, string>();
    for (const [key, value] of items) last.set(this.#prefix + key, value);
    const deadline = ttlMs === null ? null : this.#now() + ttlMs;
    this.#run('mset', undefined, () => this.#setMany(last, deadline));
  }

  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    if (keys.length === 0) return;
    const stored = keys.map((key) => this.#prefix + key);
    this.#run('mdel', undefined, () => this.#deleteMany(stored));
  }

  override async incr(key: string): Promise<number> {
    return this.#step(key, 1);
  }

  override async decr(key: string): Promise<number> {
    return this.#step(key, -1);
  }

  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = compilePattern(pattern);
    const { low, high } = keyRange(this.#prefix + literalHead(pattern));
    const now = this.#now();
    const rows = this.#run(
      'keys',
      undefined,
      () =>
        (high === null
          ? this.#sql.keys[1].pluck().all({ low, now })
          : this.#sql.keys[0].pluck().all({ low, high, now })) as unknown as string[],
    );
    const prefixLength = this.#prefix.length;
    const result: string[] = [];
    for (const stored of rows) {
      const key = stored.slice(prefixLength);
      if (matches(key)) result.push(key);
    }
    return result;
  }

  /** Deletes every expired row of this storage's prefix now; resolves to how many it deleted. */
  async cleanupExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = this.#sweepBatch();
      total += deleted;
      if (deleted < this.#sweepBatchSize) return total;
    }
  }

  #step(key: string, delta: 1 | -1): Promise<number> {
    try {
      assertWellFormedString(key, 'key');
      const k = this.#prefix + key;
      const now = this.#now();
      const method = delta > 0 ? 'incr' : 'decr';
      const stored = this.#run(method, key, () => this.#sql.step.get({ k, fresh: String(delta), delta, now })) as
        | string
        | undefined;
      if (stored !== undefined) return Promise.resolve(Number(stored));
      // Refused: the live value is not a canonical int64, or the step overflows. Nothing ran in
      // between (synchronous), except another process; stepCounter says which error it is.
      const current = this.#run(method, key, () => this.#sql.get.get({ k, now }) as string | undefined) ?? null;
      stepCounter(current, delta, key);
      throw new StorageError('InternalError', `${method} of key ${preview(key)} was refused by SQLite`);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Whole milliseconds, as the deadlines are stored (a performance.now()-based clock is fractional). */
  #now(): number {
    return Math.floor(this.#clock.now());
  }

  #sweepBatch(): number {
    const { low, high } = this.#range;
    const now = this.#now();
    const limit = this.#sweepBatchSize;
    const result = this.#run('sweep', undefined, () =>
      high === null ? this.#sql.sweep[1].run({ low, now, limit }) : this.#sql.sweep[0].run({ low, high, now, limit }),
    );
    return result.changes;
  }

  #startSweeper(): void {
    if (this.#sweepIntervalMs === 0) return;
    const tick = (delayMs: number) => {
      if (this.#closed) return;
      this.#sweepTimer = setTimeout(() => {
        let deleted = 0;
        try {
          deleted = this.#sweepBatch();
        } catch {
          // Locked by another process past the busy timeout: try again next period.
        }
        tick(deleted >= this.#sweepBatchSize ? 0 : this.#sweepIntervalMs);
      }, delayMs);
      this.#sweepTimer.unref();
    };
    tick(this.#sweepIntervalMs);
  }

  /** Runs statements: closed check, and every failure mapped to a StorageError in one place. */
  #run<T>(method: string, key: string | undefined, work: () => T): T {
    if (this.#closed) throw closedError();
    try {
      return work();
    } catch (error) {
      const what = key === undefined ? `SQLite ${method}` : `SQLite ${method} of key ${preview(key)}`;
      throw mapSqliteError(error, `${what} failed`);
    }
  }
}
