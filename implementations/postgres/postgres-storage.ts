/**
 * PostgresStorage: the SaStorage contract on one PostgreSQL table, over node-postgres (`pg` 8).
 *
 * Table (created on first use unless `createTable: false`; DDL in `postgresSchemaSql`):
 *   k bytea PRIMARY KEY   the storage's prefix + the key, as UTF-8 bytes
 *   v bytea NOT NULL      the value, as UTF-8 bytes
 *   e int8                deadline in epoch ms; NULL: persistent. Live while now <= e.
 * plus a partial index on e (WHERE e IS NOT NULL) for the expiry sweep. bytea, not text: a
 * PostgreSQL text cannot hold U+0000, and byte order is exactly the contract's (UTF-8 bytes), so
 * "keys of this prefix" is the primary-key range [prefix, successor(prefix)) — no LIKE escaping.
 *
 * Clock: one per store. Default: the database server's (`statement_timestamp()`), so every app
 * server sharing the table agrees on deadlines. With `clock`, the injected clock instead, sent
 * as a parameter of each statement (the conformance suite's virtual clock).
 *
 * Every operation is one SQL statement (so one implicit transaction): get/exists/ttl SELECT with
 * the liveness predicate; set and mset an INSERT … ON CONFLICT DO UPDATE (mset over unnest());
 * delete/mdel a DELETE; expire an UPDATE of a live row; incr/decr one INSERT … ON CONFLICT DO
 * UPDATE that checks the canonical 64-bit syntax and the range in SQL; keys a primary-key range
 * scan filtered by the kit's glob matcher; clear one range DELETE. A bounded periodic sweep
 * deletes expired rows, re-checking the deadline in the same statement.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
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
  SaStorageBase,
  StorageError,
  secretVariants,
  stepCounter,
  type Ttl,
} from '../../conformance/contract/index.js';
import { type KeyRange, keyRange, literalHead } from '../sql/key-range.js';
import { checkSqlStorageOptions } from '../sql/options.js';
import { mapPostgresError } from './errors.js';

/** Settings of a PostgresStorage, whether it opens its own pool or is given one. */
export interface PostgresStorageOptions {
  /** Table name, optionally schema-qualified (`schema.table`); default `sa_storage`. Quoted as given. */
  table?: string;
  /** Create the table and its index if missing (default true). false: run `postgresSchemaSql(table)` yourself. */
  createTable?: boolean;
  /**
   * Time source for deadlines. Default: the database server's clock (all app servers agree).
   * Give one (the conformance suite's virtual clock) to use it for every deadline and comparison instead.
   */
  clock?: Clock;
  /** Bound on every statement's reply: a stalled server rejects with ConnectionError after this (default 5000 ms). */
  commandTimeoutMs?: number;
  /** Period of the expiry sweep in ms (default 60000); 0 disables it (expired rows stay invisible until overwritten). */
  sweepIntervalMs?: number;
  /** Most rows one sweep statement deletes (default 1000); a full batch is followed by another at once. */
  sweepBatchSize?: number;
}

/** Settings for the pool `connect` opens. */
export interface PostgresConnectOptions extends PostgresStorageOptions {
  /** Bound on opening a connection, handshake and authentication included (default 10000 ms). */
  connectTimeoutMs?: number;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

const DEFAULT_TABLE = 'sa_storage';
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const DEFAULT_SWEEP_BATCH = 1_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Redis's canonical integer syntax, at most 19 digits (the range is checked separately). */
const CANONICAL_SQL = '^(0|-?[1-9][0-9]{0,18})$';
const INT64_MIN = '-9223372036854775808';
const INT64_MAX = '9223372036854775807';

function invalid(message: string): StorageError {
  return new StorageError('OperationFailed', message);
}

function positiveMs(value: unknown, name: string, fallback: number, allowZero = false): number {
  if (value === undefined || value === null) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (value === 0 && !allowZero) ||
    value > MAX_TIMEOUT_MS
  ) {
    throw invalid(`invalid PostgresStorage option: ${name} must be a number of milliseconds`);
  }
  return Math.ceil(value);
}

/** `name` or `schema.name` → a quoted SQL identifier (every part quoted, `"` doubled). */
function quoteTable(table: unknown): { quoted: string; base: string } {
  if (typeof table !== 'string' || table.length === 0 || !table.isWellFormed() || table.includes('\0')) {
    throw invalid('invalid PostgresStorage option: table must be a non-empty string (`name` or `schema.name`)');
  }
  const parts = table.split('.');
  if (parts.length > 2 || parts.some((part) => part.length === 0)) {
    throw invalid('invalid PostgresStorage option: table must be `name` or `schema.name`');
  }
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  return { quoted: parts.map(quote).join('.'), base: parts[parts.length - 1] as string };
}

/**
 * The DDL the storage runs on first use (idempotent): for a migration tool, or for running it
 * yourself with `createTable: false`.
 */
export function postgresSchemaSql(table = DEFAULT_TABLE): string {
  const { quoted, base } = quoteTable(table);
  const index = `"${`${base}_expiry_idx`.replace(/"/g, '""')}"`;
  return [
    `CREATE TABLE IF NOT EXISTS ${quoted} (k bytea PRIMARY KEY, v bytea NOT NULL, e int8)`,
    `CREATE INDEX IF NOT EXISTS ${index} ON ${quoted} (e) WHERE e IS NOT NULL`,
  ].join(';\n');
}

/** The password of a connection URL (to scrub it from messages), without ever echoing the URL. */
function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    if (password === '') return undefined;
    try {
      return decodeURIComponent(password);
    } catch {
      return password;
    }
  } catch {
    return undefined;
  }
}

function preview(key: string): string {
  const shown = JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  return key.length > 64 ? `${shown} (${key.length} chars)` : shown;
}

/** A prepared statement: pg caches it per connection under a name derived from its text. */
interface Statement {
  readonly name: string;
  readonly text: string;
}

function statement(text: string): Statement {
  return { name: `sa_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
}

interface Statements {
  readonly get: Statement;
  readonly set: Statement;
  readonly delete: Statement;
  readonly exists: Statement;
  readonly expire: Statement;
  readonly ttl: Statement;
  readonly mget: Statement;
  readonly mset: Statement;
  readonly mdel: Statement;
  readonly step: Statement;
  /** Range statements: [bounded (low, high), unbounded (low only)]. */
  readonly keys: readonly [Statement, Statement];
  readonly clear: readonly [Statement, Statement];
  readonly sweep: readonly [Statement, Statement];
}

/**
 * Every statement the storage sends. `now` is SQL for the current time in epoch ms: the server's
 * statement timestamp, or a parameter carrying the injected clock's reading (always the last one).
 */
function buildStatements(table: string, injectedClock: boolean): Statements {
  const now = (n: number) =>
    injectedClock ? `$${n}::int8` : 'floor(extract(epoch from statement_timestamp()) * 1000)::int8';
  const live = (n: number) => `(e IS NULL OR e >= ${now(n)})`;
  const range = (bounded: boolean) => (bounded ? 'k >= $1 AND k < $2' : 'k >= $1');
  const ranged = (make: (bounded: boolean, next: number) => string): readonly [Statement, Statement] => [
    statement(make(true, 3)),
    statement(make(false, 2)),
  ];
  return {
    get: statement(`SELECT v FROM ${table} WHERE k = $1 AND ${live(2)}`),
    set: statement(
      `INSERT INTO ${table} (k, v, e) VALUES ($1, $2, ${now(4)} + $3::int8) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, e = EXCLUDED.e`,
    ),
    delete: statement(`DELETE FROM ${table} WHERE k = $1`),
    exists: statement(`SELECT 1 FROM ${table} WHERE k = $1 AND ${live(2)}`),
    expire: statement(`UPDATE ${table} SET e = ${now(3)} + $2::int8 WHERE k = $1 AND ${live(3)}`),
    ttl: statement(`SELECT (e - ${now(2)})::float8 AS ms FROM ${table} WHERE k = $1 AND ${live(2)}`),
    mget: statement(`SELECT k, v FROM ${table} WHERE k = ANY($1::bytea[]) AND ${live(2)}`),
    mset: statement(
      `INSERT INTO ${table} (k, v, e) SELECT x.k, x.v, ${now(4)} + $3::int8 FROM unnest($1::bytea[], $2::bytea[]) AS x(k, v) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, e = EXCLUDED.e`,
    ),
    mdel: statement(`DELETE FROM ${table} WHERE k = ANY($1::bytea[])`),
    // incr/decr in one statement. A missing row is inserted with $2 ('1' or '-1'), persistent; an
    // expired row is restarted the same way; a live row is stepped only when it holds a canonical
    // int64 decimal whose result stays in int64 (encode(…, 'escape') keeps ASCII digits and '-' as they
    // are and escapes anything else, so the regex sees the exact bytes). Otherwise no row comes
    // back and the caller reads the value to say why. The TTL is kept.
    step: statement(
      `INSERT INTO ${table} AS s (k, v, e) VALUES ($1, $2, NULL) ON CONFLICT (k) DO UPDATE SET ` +
        `v = CASE WHEN s.e < ${now(4)} THEN EXCLUDED.v ELSE convert_to((encode(s.v, 'escape')::numeric + $3::int8)::text, 'UTF8') END, ` +
        `e = CASE WHEN s.e < ${now(4)} THEN NULL ELSE s.e END ` +
        `WHERE s.e < ${now(4)} OR CASE WHEN encode(s.v, 'escape') ~ '${CANONICAL_SQL}' ` +
        `THEN encode(s.v, 'escape')::numeric BETWEEN ${INT64_MIN} AND ${INT64_MAX} ` +
        `AND encode(s.v, 'escape')::numeric + $3::int8 BETWEEN ${INT64_MIN} AND ${INT64_MAX} ELSE false END ` +
        `RETURNING encode(v, 'escape') AS v`,
    ),
    keys: ranged((bounded, n) => `SELECT k FROM ${table} WHERE ${range(bounded)} AND ${live(n)}`),
    clear: ranged((bounded) => `DELETE FROM ${table} WHERE ${range(bounded)}`),
    // Rows locked by the subquery cannot change before the DELETE; the deadline is checked again
    // in the DELETE itself, so a row re-written or extended meanwhile is never lost.
    sweep: ranged(
      (bounded, n) =>
        `DELETE FROM ${table} WHERE k IN (SELECT k FROM ${table} WHERE e < ${now(n + 1)} AND ${range(bounded)} LIMIT $${n} FOR UPDATE SKIP LOCKED) AND e < ${now(n + 1)}`,
    ),
  };
}

function rowsOf(result: pg.QueryResult<Row>): Row[] {
  return result.rows;
}

function closedError(): StorageError {
  return new StorageError('ConnectionError', 'PostgresStorage is closed');
}

function isPool(pool: unknown): pool is pg.Pool {
  return (
    typeof pool === 'object' &&
    pool !== null &&
    typeof (pool as pg.Pool).query === 'function' &&
    typeof (pool as pg.Pool).connect === 'function' &&
    typeof (pool as pg.Pool).end === 'function'
  );
}

const encode = (text: string): Buffer => Buffer.from(text, 'utf8');
const decode = (bytes: Buffer): string => bytes.toString('utf8');

interface Row {
  [column: string]: unknown;
}

/**
 * The SaStorage contract on one PostgreSQL table (node-postgres 8). Open with
 * `PostgresStorage.connect(url, keyPrefix)` or `fromPool(pool, keyPrefix)`; storages with
 * different prefixes share the table and never see each other's keys.
 */
export class PostgresStorage extends SaStorageBase {
  readonly #pool: pg.Pool;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #range: KeyRange;
  readonly #clock: Clock | undefined;
  readonly #table: string;
  readonly #sql: Statements;
  readonly #secrets: readonly string[];
  readonly #commandTimeoutMs: number;
  readonly #sweepIntervalMs: number;
  readonly #sweepBatchSize: number;
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #sweeping: Promise<number> | undefined;
  #closed = false;

  private constructor(
    pool: pg.Pool,
    owned: boolean,
    prefix: string,
    options: PostgresStorageOptions,
    secrets: readonly string[],
  ) {
    super();
    this.#pool = pool;
    this.#owned = owned;
    this.#prefix = prefix;
    this.#range = keyRange(prefix);
    this.#clock = options.clock;
    this.#table = options.table ?? DEFAULT_TABLE;
    this.#sql = buildStatements(quoteTable(this.#table).quoted, options.clock !== undefined);
    this.#secrets = secrets;
    this.#commandTimeoutMs = positiveMs(options.commandTimeoutMs, 'commandTimeoutMs', DEFAULT_COMMAND_TIMEOUT_MS);
    this.#sweepIntervalMs = positiveMs(options.sweepIntervalMs, 'sweepIntervalMs', DEFAULT_SWEEP_INTERVAL_MS, true);
    const batch = options.sweepBatchSize ?? DEFAULT_SWEEP_BATCH;
    if (!Number.isInteger(batch) || batch < 1) {
      throw invalid('invalid PostgresStorage option: sweepBatchSize must be a positive integer');
    }
    this.#sweepBatchSize = batch;
  }

  /**
   * Connects with a `postgres://user:password@host:port/database` URL (credentials
   * percent-encoded; query parameters such as `sslmode` are node-postgres's). Opens a pool the
   * storage owns (`close()` ends it), creates the table unless `createTable: false`.
   */
  static async connect(url: string, keyPrefix = '', options: PostgresConnectOptions = {}): Promise<PostgresStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    const settings = checkSqlStorageOptions<PostgresConnectOptions>(options, 'PostgresStorage');
    if (typeof url !== 'string' || url.length === 0) throw invalid('invalid PostgreSQL URL: expected a string');
    const secrets = secretVariants(urlPassword(url));
    const connectTimeoutMs = positiveMs(settings.connectTimeoutMs, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS);
    const poolSize = settings.poolSize ?? 10;
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      throw invalid('invalid PostgresStorage option: poolSize must be a positive integer');
    }
    let pool: pg.Pool;
    try {
      pool = new pg.Pool({
        connectionString: url,
        max: poolSize,
        connectionTimeoutMillis: connectTimeoutMs,
        keepAlive: true,
      });
    } catch (error) {
      throw mapPostgresError(error, 'invalid PostgreSQL connection settings', secrets, 'OperationFailed');
    }
    // An idle connection that dies (server restart) is reported here; the next query reconnects.
    pool.on('error', () => {});
    const storage = new PostgresStorage(pool, true, prefix, settings, secrets);
    try {
      await storage.#prepare(settings.createTable !== false, 'connect');
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return storage;
  }

  /**
   * Uses an existing `pg.Pool` (borrowed: `close()` leaves it open; its owner ends it). Give the
   * pool a `connectionTimeoutMillis`, or a server that accepts connections but never answers
   * holds `fromPool` callers until commandTimeoutMs.
   */
  static async fromPool(pool: pg.Pool, keyPrefix = '', options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const prefix = checkKeyPrefix(keyPrefix);
    const settings = checkSqlStorageOptions<PostgresConnectOptions>(options, 'PostgresStorage');
    if (!isPool(pool)) throw invalid('fromPool expects a pg.Pool');
    const password = (pool as { options?: { password?: unknown; connectionString?: unknown } }).options;
    const secrets = [
      ...secretVariants(typeof password?.password === 'string' ? password.password : undefined),
      ...secretVariants(
        typeof password?.connectionString === 'string' ? urlPassword(password.connectionString) : undefined,
      ),
    ];
    const storage = new PostgresStorage(pool, false, prefix, settings, secrets);
    await storage.#prepare(settings.createTable !== false, 'fromPool');
    return storage;
  }

  /** The prefix in front of every key in the table. */
  get keyPrefix(): string {
    return this.#prefix;
  }

  /** Stops the sweep and, when the storage opened the pool, ends it. Afterwards every method rejects with ConnectionError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer !== undefined) clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    await this.#sweeping?.catch(() => {});
    if (this.#owned) await this.#pool.end().catch(() => {});
  }

  async get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    const rows = await this.#query('get', key, this.#sql.get, [this.#key(key)]);
    const row = rows[0];
    return row === undefined ? null : decode(row.v as Buffer);
  }

  async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    assertWellFormedString(key, 'key');
    assertWellFormedString(value, 'value');
    const ttlMs = normalizeOptionalTtl(ttl);
    await this.#query('set', key, this.#sql.set, [this.#key(key), encode(value), ttlMs]);
  }

  async delete(key: string): Promise<void> {
    assertWellFormedString(key, 'key');
    await this.#query('delete', key, this.#sql.delete, [this.#key(key)], false);
  }

  async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    return (await this.#query('exists', key, this.#sql.exists, [this.#key(key)])).length > 0;
  }

  async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    const ttlMs = normalizeRequiredTtl(ttl);
    await this.#query('expire', key, this.#sql.expire, [this.#key(key), ttlMs]);
  }

  async ttl(key: string): Promise<number | null> {
    assertWellFormedString(key, 'key');
    const row = (await this.#query('ttl', key, this.#sql.ttl, [this.#key(key)]))[0];
    return row === undefined || row.ms === null ? null : (row.ms as number);
  }

  async clear(): Promise<void> {
    const { low, high } = this.#range;
    await this.#ranged('clear', this.#sql.clear, low, high, [], false);
  }

  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    if (keys.length === 0) return [];
    const stored = keys.map((key) => this.#prefix + key);
    const rows = await this.#query('mget', undefined, this.#sql.mget, [[...new Set(stored)].map(encode)]);
    const found = new Map<string, string>();
    for (const row of rows) found.set(decode(row.k as Buffer), decode(row.v as Buffer));
    return stored.map((key) => found.get(key) ?? null);
  }

  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    const ttlMs = normalizeOptionalTtl(ttl);
    if (items.length === 0) return;
    // ON CONFLICT cannot touch one row twice in a statement: keep the last item of each key.
    const last = new Map<string, string>();
    for (const [key, value] of items) {
      last.delete(key);
      last.set(key, value);
    }
    const keys: Buffer[] = [];
    const values: Buffer[] = [];
    for (const [key, value] of last) {
      keys.push(this.#key(key));
      values.push(encode(value));
    }
    await this.#query('mset', undefined, this.#sql.mset, [keys, values, ttlMs]);
  }

  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    if (keys.length === 0) return;
    await this.#query('mdel', undefined, this.#sql.mdel, [keys.map((key) => this.#key(key))], false);
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
    const { rows } = await this.#ranged('keys', this.#sql.keys, low, high, [], true);
    const prefixLength = this.#prefix.length;
    const result: string[] = [];
    for (const row of rows) {
      const key = decode(row.k as Buffer).slice(prefixLength);
      if (matches(key)) result.push(key);
    }
    return result;
  }

  /**
   * Deletes expired rows of this storage's prefix, in batches of sweepBatchSize, until none is
   * left; resolves to how many it deleted. The background sweep runs one batch per period.
   */
  async cleanupExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.#sweepBatch();
      total += deleted;
      if (deleted < this.#sweepBatchSize) return total;
    }
  }

  async #step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const stored = this.#key(key);
    const method = delta > 0 ? 'incr' : 'decr';
    // A refused step says why from a fresh read; if that read finds a valid counter (another
    // client changed it meanwhile), the step is simply tried again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const rows = await this.#query(method, key, this.#sql.step, [stored, encode(String(delta)), delta]);
      const row = rows[0];
      if (row !== undefined) return Number(row.v as string);
      const current = await this.get(key);
      stepCounter(current, delta, key); // throws SerializationError or OperationFailed
    }
    throw new StorageError('InternalError', `${method} of key ${preview(key)} kept being refused by PostgreSQL`);
  }

  #key(key: string): Buffer {
    return encode(this.#prefix + key);
  }

  /** A range statement: the bounded variant, or the one without an upper bound when there is none. */
  #ranged(
    method: string,
    statements: readonly [Statement, Statement],
    low: string,
    high: string | null,
    extra: readonly unknown[],
    withClock: boolean,
  ): Promise<pg.QueryResult<Row>> {
    const values = high === null ? [encode(low), ...extra] : [encode(low), encode(high), ...extra];
    return this.#result(method, undefined, high === null ? statements[1] : statements[0], values, withClock);
  }

  async #sweepBatch(): Promise<number> {
    const { low, high } = this.#range;
    const result = await this.#ranged('sweep', this.#sql.sweep, low, high, [this.#sweepBatchSize], true);
    return result.rowCount ?? 0;
  }

  /** The background sweep: one batch per period, the next batch at once when a batch was full. */
  #startSweeper(): void {
    if (this.#sweepIntervalMs === 0) return;
    const tick = (delayMs: number) => {
      if (this.#closed) return;
      this.#sweepTimer = setTimeout(() => {
        this.#sweeping = this.#sweepBatch();
        this.#sweeping.then(
          (deleted) => tick(deleted >= this.#sweepBatchSize ? 0 : this.#sweepIntervalMs),
          () => tick(this.#sweepIntervalMs), // server away: try again next period
        );
      }, delayMs);
      this.#sweepTimer.unref();
    };
    tick(this.#sweepIntervalMs);
  }

  #query(method: string, key: string | undefined, sql: Statement, values: unknown[], withClock = true): Promise<Row[]> {
    return this.#result(method, key, sql, values, withClock).then(rowsOf);
  }

  /**
   * Runs one statement: closed check, the injected clock's reading appended as the last
   * parameter (when the statement reads the time and the clock is injected), a bound on the
   * reply, and every failure mapped to a StorageError in one place. Plain promise chaining, not
   * an async function: it sits on every call's hot path.
   */
  #result(
    method: string,
    key: string | undefined,
    sql: Statement,
    values: unknown[],
    withClock: boolean,
  ): Promise<pg.QueryResult<Row>> {
    if (this.#closed) return Promise.reject(closedError());
    const fail = (error: unknown): never => {
      const what = key === undefined ? `PostgreSQL ${method}` : `PostgreSQL ${method} of key ${preview(key)}`;
      throw mapPostgresError(error, `${what} failed`, this.#secrets);
    };
    try {
      // Whole milliseconds: an int8 parameter refuses "1.5" (performance.now()-based clocks are fractional).
      if (withClock && this.#clock !== undefined) values.push(Math.floor(this.#clock.now()));
      return this.#pool
        .query<Row>({ name: sql.name, text: sql.text, values, query_timeout: this.#commandTimeoutMs } as pg.QueryConfig)
        .catch(fail);
    } catch (error) {
      return Promise.reject(mapPostgresError(error, `PostgreSQL ${method} failed`, this.#secrets)); // a clock or pool that throws
    }
  }

  /** Creates the table and index (unless told not to), checks that the table answers, starts the sweep. */
  async #prepare(createTable: boolean, method: string): Promise<void> {
    const run = (text: string) => this.#pool.query({ text, query_timeout: this.#commandTimeoutMs } as pg.QueryConfig);
    try {
      if (createTable) {
        for (const ddl of postgresSchemaSql(this.#table).split(';\n')) {
          try {
            await run(ddl);
          } catch (error) {
            // Storages creating the table at once: all but one lose the race on the catalog
            // (unique violation, duplicate table or type); by the retry the table exists.
            const code = (error as { code?: unknown }).code;
            if (code !== '23505' && code !== '42P07' && code !== '42710') throw error;
            await run(ddl);
          }
        }
      }
      await run(`SELECT k, v, e FROM ${quoteTable(this.#table).quoted} LIMIT 0`);
    } catch (error) {
      throw mapPostgresError(error, `PostgresStorage.${method} failed`, this.#secrets, 'OperationFailed');
    }
    this.#startSweeper();
  }
}
