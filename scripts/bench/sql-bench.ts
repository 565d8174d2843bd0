/**
 * SQL rows: PostgresStorage and SqliteStorage against the same statements sent straight through
 * their driver (pg / better-sqlite3, the baseline), and against @keyv/postgres / @keyv/sqlite.
 * get, set with TTL, incr and mset of 100 with TTL, at 1 and 50 calls in flight; ratios are
 * medians of per-round ratios against the baseline measured in the same round.
 *
 * PostgreSQL: the machine's server (POSTGRES_URL, default 127.0.0.1:5432 database `test`), in
 * tables of this run, dropped at the end; pools of 10 connections for every contender.
 * SQLite: files in a temporary folder (WAL, synchronous=NORMAL for ours and the raw baseline;
 * @keyv/sqlite runs on node-sqlite3 with its own defaults).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KeyvPostgres from '@keyv/postgres';
import KeyvSqlite from '@keyv/sqlite';
import Database from 'better-sqlite3';
import Keyv from 'keyv';
import pg from 'pg';
import { PostgresStorage, postgresSchemaSql } from '../../implementations/postgres/index.js';
import { SqliteStorage } from '../../implementations/sqlite/index.js';
import type { BenchSettings } from './settings.js';
import { type Comparison, compare, formatRate, formatRatio, progress, rotate } from './stats.js';

export const SQL_OPS = [
  { op: 'get', label: 'get' },
  { op: 'set', label: 'set with TTL' },
  { op: 'incr', label: 'incr' },
  { op: 'mset', label: 'mset of 100 with TTL' },
] as const;
export type SqlOp = (typeof SQL_OPS)[number]['op'];

const TTL_MS = 60_000;
const WORKING_SET = 1000;
const POOL_SIZE = 10;
const keyOf = (i: number) => `k:${i % WORKING_SET}`;
const tokenFor = (i: number) => `token-${i}-${(i * 2654435761) % 4294967296}`;
const entriesOf = (i: number) =>
  Array.from({ length: 100 }, (_, j) => [keyOf(i * 100 + j * 7), tokenFor(i + j)] as [string, string]);

interface Session {
  readonly ops: Record<SqlOp, (i: number) => Promise<unknown>>;
  close(): Promise<void>;
}

interface Contender {
  readonly id: string;
  readonly label: string;
  open(): Promise<Session>;
}

export interface SqlRow {
  readonly op: SqlOp;
  readonly label: string;
  readonly concurrency: number;
  readonly cells: Readonly<Record<string, Comparison>>;
}

export interface SqlSection {
  readonly backend: 'PostgreSQL' | 'SQLite';
  readonly detail: string;
  readonly contenders: readonly { id: string; label: string }[];
  readonly rows: readonly SqlRow[];
}

export interface SqlResult {
  readonly sections: readonly SqlSection[];
  readonly notes: readonly string[];
  readonly skipped: readonly string[];
}

/** Our storage: the same four operations through the SaStorage methods. */
function storageSession(storage: {
  get(k: string): Promise<unknown>;
  set(k: string, v: string, ttl: number): Promise<unknown>;
  incr(k: string): Promise<unknown>;
  mset(items: [string, string][], ttl: number): Promise<unknown>;
  close(): Promise<void>;
}): Session {
  return {
    ops: {
      get: (i) => storage.get(keyOf(i)),
      set: (i) => storage.set(keyOf(i), tokenFor(i), TTL_MS),
      incr: (i) => storage.incr(`n:${i % 10}`),
      mset: (i) => storage.mset(entriesOf(i), TTL_MS),
    },
    close: () => storage.close(),
  };
}

/** Keyv: no incr, so get + set as a Keyv user writes it (not atomic). */
function keyvSession(keyv: Keyv): Session {
  return {
    ops: {
      get: (i) => keyv.get(keyOf(i)),
      set: (i) => keyv.set(keyOf(i), tokenFor(i), TTL_MS),
      incr: async (i) => {
        const key = `n:${i % 10}`;
        const next = Number((await keyv.get<string>(key)) ?? 0) + 1;
        await keyv.set(key, String(next));
        return next;
      },
      mset: (i) => keyv.setMany(entriesOf(i).map(([key, value]) => ({ key, value, ttl: TTL_MS }))),
    },
    close: () => keyv.disconnect(),
  };
}

const SERVER_NOW = 'floor(extract(epoch from statement_timestamp()) * 1000)::int8';

function postgresContenders(url: string, table: string, keyvTable: string): Contender[] {
  const quoted = `"${table}"`;
  const prefix = 'bench:';
  // The statements PostgresStorage sends (server clock), sent as named statements through a pg.Pool.
  const get = { name: 'raw_get', text: `SELECT v FROM ${quoted} WHERE k = $1 AND (e IS NULL OR e >= ${SERVER_NOW})` };
  const set = {
    name: 'raw_set',
    text: `INSERT INTO ${quoted} (k, v, e) VALUES ($1, $2, ${SERVER_NOW} + $3::int8) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, e = EXCLUDED.e`,
  };
  const step = {
    name: 'raw_step',
    text:
      `INSERT INTO ${quoted} AS s (k, v, e) VALUES ($1, $2, NULL) ON CONFLICT (k) DO UPDATE SET ` +
      `v = CASE WHEN s.e < ${SERVER_NOW} THEN EXCLUDED.v ELSE convert_to((encode(s.v, 'escape')::numeric + $3::int8)::text, 'UTF8') END, ` +
      `e = CASE WHEN s.e < ${SERVER_NOW} THEN NULL ELSE s.e END ` +
      `WHERE s.e < ${SERVER_NOW} OR CASE WHEN encode(s.v, 'escape') ~ '^(0|-?[1-9][0-9]{0,18})$' ` +
      `THEN encode(s.v, 'escape')::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 ` +
      `AND encode(s.v, 'escape')::numeric + $3::int8 BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE false END ` +
      `RETURNING encode(v, 'escape') AS v`,
  };
  const mset = {
    name: 'raw_mset',
    text: `INSERT INTO ${quoted} (k, v, e) SELECT x.k, x.v, ${SERVER_NOW} + $3::int8 FROM unnest($1::bytea[], $2::bytea[]) AS x(k, v) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, e = EXCLUDED.e`,
  };
  const bytes = (text: string) => Buffer.from(prefix + text, 'utf8');
  return [
    {
      id: 'raw-pg',
      label: 'pg (same statements)',
      async open() {
        const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
        pool.on('error', () => {});
        for (const ddl of postgresSchemaSql(table).split(';\n')) await pool.query(ddl);
        return {
          ops: {
            get: async (i) => {
              const { rows } = await pool.query({ ...get, values: [bytes(keyOf(i))] });
              return rows[0] === undefined ? null : (rows[0].v as Buffer).toString('utf8');
            },
            set: (i) => pool.query({ ...set, values: [bytes(keyOf(i)), Buffer.from(tokenFor(i)), TTL_MS] }),
            incr: async (i) => {
              const { rows } = await pool.query({ ...step, values: [bytes(`n:${i % 10}`), Buffer.from('1'), 1] });
              return Number(rows[0].v);
            },
            mset: (i) => {
              const last = new Map(entriesOf(i));
              const keys = [...last.keys()].map(bytes);
              const values = [...last.values()].map((value) => Buffer.from(value, 'utf8'));
              return pool.query({ ...mset, values: [keys, values, TTL_MS] });
            },
          },
          close: () => pool.end(),
        };
      },
    },
    {
      id: 'storage',
      label: 'PostgresStorage',
      async open() {
        return storageSession(await PostgresStorage.connect(url, prefix, { table, poolSize: POOL_SIZE }));
      },
    },
    {
      id: 'keyv',
      label: '@keyv/postgres',
      async open() {
        const keyv = new Keyv({ store: new KeyvPostgres({ uri: url, table: keyvTable, max: POOL_SIZE }) });
        keyv.on('error', () => {});
        await keyv.get('warm-up');
        return keyvSession(keyv);
      },
    },
  ];
}

function sqliteContenders(folder: string): Contender[] {
  const file = join(folder, 'bench.db');
  const prefix = 'bench:';
  return [
    {
      id: 'raw-sqlite',
      label: 'better-sqlite3 (same statements)',
      async open() {
        const db = new Database(file, { timeout: 5000 });
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // The storage's table and statements; sa_step is the same counter rule.
        await (await SqliteStorage.fromDatabase(db, prefix, { sweepIntervalMs: 0 })).close();
        const live = '(e IS NULL OR e >= @now)';
        const get = db.prepare(`SELECT v FROM sa_storage WHERE k = @k AND ${live}`).pluck();
        const set = db.prepare(
          'INSERT INTO sa_storage (k, v, e) VALUES (@k, @v, @e) ON CONFLICT (k) DO UPDATE SET v = excluded.v, e = excluded.e',
        );
        const step = db
          .prepare(
            'INSERT INTO sa_storage (k, v, e) VALUES (@k, @fresh, NULL) ON CONFLICT (k) DO UPDATE SET ' +
              'v = CASE WHEN e < @now THEN excluded.v ELSE sa_step(v, @delta) END, ' +
              'e = CASE WHEN e < @now THEN NULL ELSE e END ' +
              'WHERE e < @now OR sa_step(v, @delta) IS NOT NULL RETURNING v',
          )
          .pluck();
        const setMany = db
          .transaction((items: Map<string, string>, e: number) => {
            for (const [k, v] of items) set.run({ k, v, e });
          })
          .immediate.bind(null);
        return {
          ops: {
            get: async (i) => get.get({ k: prefix + keyOf(i), now: Date.now() }) ?? null,
            set: async (i) => set.run({ k: prefix + keyOf(i), v: tokenFor(i), e: Date.now() + TTL_MS }),
            incr: async (i) => Number(step.get({ k: `${prefix}n:${i % 10}`, fresh: '1', delta: 1, now: Date.now() })),
            mset: async (i) => {
              const items = new Map<string, string>();
              for (const [key, value] of entriesOf(i)) items.set(prefix + key, value);
              setMany(items, Date.now() + TTL_MS);
            },
          },
          close: async () => {
            db.close();
          },
        };
      },
    },
    {
      id: 'storage',
      label: 'SqliteStorage',
      async open() {
        return storageSession(await SqliteStorage.open(file, prefix));
      },
    },
    {
      id: 'keyv',
      label: '@keyv/sqlite',
      async open() {
        const keyv = new Keyv({
          store: new KeyvSqlite({ uri: `sqlite://${join(folder, 'keyv.db')}`, busyTimeout: 5000 }),
        });
        keyv.on('error', () => {});
        await keyv.get('warm-up');
        return keyvSession(keyv);
      },
    },
  ];
}

/**
 * Runs up to `total` calls with `concurrency` in flight, but starts no new call after `budgetMs`
 * (a contender 100× slower than the baseline must not stretch a round 100×); returns how many ran.
 */
async function runConcurrent(
  concurrency: number,
  total: number,
  budgetMs: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const deadline = performance.now() + budgetMs;
  const lane = async () => {
    for (let i = next++; i < total && performance.now() < deadline; i = next++) await op(i);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return Math.min(next, total);
}

const SAMPLE_LIMIT_MS = 20_000;

/** The value, or undefined if it takes longer than SAMPLE_LIMIT_MS. */
async function withinLimit<T>(promise: Promise<T>): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SAMPLE_LIMIT_MS);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function measureSection(
  backend: SqlSection['backend'],
  detail: string,
  contenders: readonly Contender[],
  settings: BenchSettings,
  timedOut: string[],
): Promise<SqlSection> {
  const sessions = new Map<string, Session>();
  for (const contender of contenders) {
    const session = await contender.open();
    sessions.set(contender.id, session);
    // The working set, so that get finds values.
    for (let i = 0; i < WORKING_SET; i += 100) await session.ops.mset(i / 100);
  }
  const baseline = contenders[0] as Contender;
  const rows: SqlRow[] = [];
  try {
    for (const { op, label } of SQL_OPS) {
      for (const concurrency of [1, 50]) {
        let offset = 0;
        let budgetMs = 2_000;
        const sample = async (contender: Contender, total: number) => {
          const session = sessions.get(contender.id) as Session;
          const base = offset;
          offset += total;
          const start = performance.now();
          const done = await runConcurrent(concurrency, total, budgetMs, (i) => session.ops[op](base + i));
          return (done / (performance.now() - start)) * 1000;
        };
        // A contender whose warm-up does not finish within SAMPLE_LIMIT_MS (@keyv/sqlite's setMany
        // with 50 in flight) is left out of the row: its cell says so instead of stalling the run.
        const dropped = new Set<string>();
        for (const contender of contenders) {
          if ((await withinLimit(sample(contender, concurrency * 4))) === undefined) dropped.add(contender.id);
        }
        const measured = contenders.filter((c) => !dropped.has(c.id));
        let baselineRate = 0;
        for (let i = 0; i < 3; i++) baselineRate = Math.max(baselineRate, await sample(baseline, concurrency * 10));
        const total = Math.max(concurrency * 2, Math.round((baselineRate * settings.sqlSampleMs) / 1000));
        budgetMs = settings.sqlSampleMs * 5;
        const rates = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
        for (let round = 0; round < settings.sqlRounds; round++) {
          for (const contender of rotate(measured, round))
            rates.get(contender.id)?.push(await sample(contender, total));
        }
        const baselineRates = rates.get(baseline.id) as number[];
        const cells: Record<string, Comparison> = {};
        for (const c of measured) cells[c.id] = compare(rates.get(c.id) as number[], baselineRates);
        for (const id of dropped) {
          timedOut.push(
            `${backend} ${label} ×${concurrency}: ${id} did not finish its warm-up within ${SAMPLE_LIMIT_MS / 1000} s; left out of the row`,
          );
        }
        rows.push({ op, label, concurrency, cells });
        progress(
          `${backend} ${label} ×${concurrency} (${total} ops/sample): ${contenders
            .map(
              (c) =>
                `${c.id} ${formatRate(cells[c.id]?.rate ?? Number.NaN)} ${formatRatio(cells[c.id]?.ratio ?? Number.NaN)}`,
            )
            .join(', ')}`,
        );
      }
    }
  } finally {
    for (const session of sessions.values()) await withinLimit(session.close().catch(() => {}));
  }
  return { backend, detail, contenders: contenders.map(({ id, label }) => ({ id, label })), rows };
}

export const POSTGRES_BENCH_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Both SQL sections; a backend whose server or driver is missing is skipped with the reason. */
export async function measureSql(settings: BenchSettings, url = POSTGRES_BENCH_URL): Promise<SqlResult> {
  const sections: SqlSection[] = [];
  const skipped: string[] = [];
  const timedOut: string[] = [];
  const suffix = `${process.pid}_${Date.now()}`;
  const table = `sk_bench_${suffix}`;
  const keyvTable = `keyv_bench_${suffix}`;
  const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 });
  admin.on('error', () => {});
  try {
    const version = (await admin.query('SHOW server_version')).rows[0].server_version as string;
    sections.push(
      await measureSection(
        'PostgreSQL',
        `PostgreSQL ${version} on this machine, pools of ${POOL_SIZE}`,
        postgresContenders(url, table, keyvTable),
        settings,
        timedOut,
      ),
    );
  } catch (error) {
    const reason = `PostgreSQL rows skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    progress(reason);
    skipped.push(reason);
  } finally {
    await admin.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
    await admin.query(`DROP TABLE IF EXISTS "${keyvTable}"`).catch(() => {});
    await admin.end();
  }
  const folder = mkdtempSync(join(tmpdir(), 'sa-storage-kit-bench-sqlite-'));
  try {
    const version = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    sections.push(
      await measureSection('SQLite', `SQLite ${version}, one file (WAL)`, sqliteContenders(folder), settings, timedOut),
    );
  } catch (error) {
    const reason = `SQLite rows skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    progress(reason);
    skipped.push(reason);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const notes = [
    'Baseline: the statements the storage sends, sent straight through the driver (named prepared statements on a pg.Pool; prepared better-sqlite3 statements), with the same key/value encoding.',
    "@keyv/postgres and @keyv/sqlite: no incr, so get + set as a Keyv user writes it (not atomic, TTL dropped); values in Keyv's JSON envelope; mset is `keyv.setMany`.",
    '@keyv/sqlite runs on node-sqlite3 (asynchronous, a worker thread); SqliteStorage and its baseline on better-sqlite3 (synchronous).',
  ];
  return { sections, notes: [...timedOut, ...notes], skipped };
}

/** The markdown of the SQL section of docs/benchmarks.md. */
export function sqlMarkdown(result: SqlResult): string {
  const lines: string[] = [];
  for (const section of result.sections) {
    const others = section.contenders.slice(1);
    lines.push(
      `### ${section.backend}`,
      '',
      `${section.detail}. Throughput, and ratio against the baseline (${section.contenders[0]?.label}) in the same round.`,
      '',
    );
    lines.push(
      `| operation | in flight | ${section.contenders[0]?.label} | ${others.map((c) => c.label).join(' | ')} |`,
      `|---|---:|---:|${others.map(() => '---:').join('|')}|`,
    );
    for (const row of section.rows) {
      const base = row.cells[section.contenders[0]?.id ?? ''];
      const cells = others.map((c) => {
        const cell = row.cells[c.id];
        return cell === undefined ? 'timed out' : `${formatRate(cell.rate)} (${formatRatio(cell.ratio)})`;
      });
      lines.push(
        `| ${row.label} | ${row.concurrency} | ${formatRate(base?.rate ?? Number.NaN)} | ${cells.join(' | ')} |`,
      );
    }
    lines.push('');
  }
  for (const reason of result.skipped) lines.push(`- ${reason}`);
  for (const note of result.notes) lines.push(`- ${note}`);
  return lines.join('\n');
}
