/**
 * What the conformance suite cannot see from outside, for both SQL backends: the key ranges that
 * replace LIKE (exactly "starts with", in UTF-8 byte order), clear() confined to its prefix when
 * prefixes hold `% _ \ * ? [ ]`, the bounded expiry sweep, and the table as other tools see it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VirtualClock } from '../conformance/clock.js';
import type { SaStorage } from '../conformance/contract/index.js';
import { PostgresStorage, postgresSchemaSql } from '../implementations/postgres/index.js';
import { keyRange, literalHead, prefixUpperBound } from '../implementations/sql/key-range.js';
import { SqliteStorage } from '../implementations/sqlite/index.js';
import { dropTables, POSTGRES_URL, uniqueTable } from './postgres-helpers.js';
import { checkProperty } from './redis-helpers.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('key ranges', () => {
  test('the successor of a prefix', () => {
    expect(prefixUpperBound('')).toBeNull();
    expect(prefixUpperBound('ab')).toBe('ac');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\u{10FFFF}\u{10FFFF}')).toBeNull();
    expect(prefixUpperBound('x\uD7FF')).toBe('x\uE000'); // surrogates are not characters
    expect(prefixUpperBound('%_')).toBe('%`');
    expect(literalHead('sa:*:x')).toBe('sa:');
    expect(literalHead('a\\*b')).toBe('a');
    expect(literalHead('plain')).toBe('plain');
  });

  test('k is in keyRange(p) exactly when k starts with p, comparing UTF-8 bytes', async () => {
    const char = fc.constantFrom(
      'a',
      'b',
      '\u0000',
      '%',
      '_',
      '\\',
      '\u007f',
      '\u0080',
      'é',
      '\uD7FF',
      '\uE000',
      '\uFFFF',
      '🙂',
      '\u{10FFFF}',
    );
    const text = fc.string({ unit: char, maxLength: 5 });
    await checkProperty(
      fc.asyncProperty(text, text, async (prefix, key) => {
        const { low, high } = keyRange(prefix);
        const inRange =
          Buffer.compare(utf8(key), utf8(low)) >= 0 && (high === null || Buffer.compare(utf8(key), utf8(high)) < 0);
        expect(inRange).toBe(key.startsWith(prefix));
      }),
      'test/sql-storage.test.ts',
      2_000,
    );
  });
});

interface Backend {
  readonly name: string;
  open(
    prefix: string,
    options?: { clock?: VirtualClock; sweepIntervalMs?: number; sweepBatchSize?: number },
  ): Promise<SaStorage & { close(): Promise<void>; cleanupExpired(): Promise<number> }>;
  /** Rows in the table, whatever their prefix or deadline. */
  rowCount(): Promise<number>;
}

const folder = mkdtempSync(join(tmpdir(), 'sa-storage-kit-sql-'));
const pgTable = uniqueTable('sql_storage');
let pool: pg.Pool;
const sqliteFile = join(folder, 'test.db');

beforeAll(() => {
  pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
  pool.on('error', () => {});
});

afterAll(async () => {
  await pool?.end();
  await dropTables([pgTable]);
  rmSync(folder, { recursive: true, force: true });
});

const backends: Backend[] = [
  {
    name: 'PostgresStorage',
    open: (prefix, options) => PostgresStorage.fromPool(pool, prefix, { table: pgTable, ...options }),
    rowCount: async () => Number((await pool.query(`SELECT count(*) AS n FROM "${pgTable}"`)).rows[0].n),
  },
  {
    name: 'SqliteStorage',
    open: (prefix, options) => SqliteStorage.open(sqliteFile, prefix, options),
    rowCount: async () => {
      const db = new Database(sqliteFile, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM sa_storage').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
  },
];

describe.each(backends)('$name', (backend) => {
  test('clear() and keys() stay within a prefix holding % _ \\ * ? [ ]', async () => {
    // None of these is a prefix of another; a LIKE 'p_:%' or GLOB 'p*:*' would reach its neighbours.
    const prefixes = ['p%:', 'p_:', 'p\\:', 'p*:', 'p?:', 'p[:', 'p]:', 'px:', 'pa:', 'p%x:', 'p\u0000:', 'p:'];
    const stores = await Promise.all(prefixes.map((prefix) => backend.open(`iso-${process.pid}-${prefix}`)));
    try {
      for (const store of stores) await store.clear();
      for (const [i, store] of stores.entries())
        await store.mset([
          ['k', String(i)],
          ['k2', String(i)],
        ]);
      const [cleared, ...others] = stores as unknown as [SaStorage, ...SaStorage[]];
      for (const [i, store] of stores.entries()) {
        expect((await store.keys('*')).sort(), prefixes[i]).toEqual(['k', 'k2']);
      }
      for (const [i, store] of stores.entries()) {
        await stores[(i + 1) % stores.length]?.clear();
        await stores[(i + 1) % stores.length]?.mset([
          ['k', 'again'],
          ['k2', 'again'],
        ]);
        expect(await store.get('k'), prefixes[i]).not.toBeNull();
      }
      await cleared.clear();
      expect(await cleared.keys('*')).toEqual([]);
      for (const store of others) expect((await store.keys('*')).sort()).toEqual(['k', 'k2']);
    } finally {
      for (const store of stores) {
        await store.clear();
        await store.close();
      }
    }
  });

  test('keys and values holding U+0000, and keys that are the prefix itself', async () => {
    const store = await backend.open(`nul-${process.pid}:`);
    try {
      await store.clear();
      await store.mset([
        ['a\u0000b', 'x\u0000y'],
        ['a', '\u0000'],
        ['', 'empty'],
      ]);
      expect(await store.mget(['a\u0000b', 'a', '', 'a\u0000'])).toEqual(['x\u0000y', '\u0000', 'empty', null]);
      expect((await store.keys('a*')).sort()).toEqual(['a', 'a\u0000b']);
      expect((await store.keys('*')).sort()).toEqual(['', 'a', 'a\u0000b']);
      await store.set('n', '1\u0000');
      await expect(store.incr('n')).rejects.toMatchObject({ kind: 'SerializationError' });
    } finally {
      await store.clear();
      await store.close();
    }
  });

  test('the sweep deletes expired rows of its prefix only, in bounded batches, and never a live one', async () => {
    const clock = new VirtualClock();
    const store = await backend.open(`sweep-${process.pid}:`, { clock, sweepIntervalMs: 0, sweepBatchSize: 100 });
    // Sorts after the store's range (";" > ":"), so a sweep without an upper bound would reach it.
    const neighbour = await backend.open(`sweep-${process.pid};other:`, { clock, sweepIntervalMs: 0 });
    try {
      await store.clear();
      await neighbour.clear();
      const before = await backend.rowCount();
      await store.mset(
        Array.from({ length: 250 }, (_, i) => [`old:${i}`, 'v'] as const),
        10,
      );
      await store.set('rewritten', 'v', 10);
      await store.set('persistent', 'v');
      await store.set('at-deadline', 'v', 20);
      await neighbour.set('expired-elsewhere', 'v', 10);
      clock.advance(20);
      await store.set('rewritten', 'w', 1_000); // expired, then written again: must survive
      expect(await backend.rowCount()).toBe(before + 254);
      expect(await store.cleanupExpired()).toBe(250);
      // 'at-deadline' is live at its deadline (now ≤ deadline); the neighbour's row is not ours to sweep.
      expect((await store.keys('*')).sort()).toEqual(['at-deadline', 'persistent', 'rewritten']);
      expect(await backend.rowCount()).toBe(before + 4);
      expect(await store.cleanupExpired()).toBe(0);
    } finally {
      await store.clear();
      await neighbour.clear();
      await store.close();
      await neighbour.close();
    }
  });

  test('the background sweep reclaims expired rows without being asked', async () => {
    const clock = new VirtualClock();
    const store = await backend.open(`bg-${process.pid}:`, { clock, sweepIntervalMs: 20, sweepBatchSize: 50 });
    try {
      await store.clear();
      const before = await backend.rowCount();
      await store.mset(
        Array.from({ length: 120 }, (_, i) => [`k${i}`, 'v'] as const),
        5,
      );
      clock.advance(10);
      const deadline = Date.now() + 10_000;
      while ((await backend.rowCount()) > before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await backend.rowCount()).toBe(before);
    } finally {
      await store.close();
    }
  });
});

test('postgresSchemaSql quotes the table name (schema-qualified too)', () => {
  expect(postgresSchemaSql('app.sessions')).toContain('CREATE TABLE IF NOT EXISTS "app"."sessions"');
  expect(postgresSchemaSql('we"ird')).toContain('"we""ird"');
  expect(() => postgresSchemaSql('a.b.c')).toThrow(/schema\.name/);
});

test.each(backends)('$name: an injected clock with fractional milliseconds works', async (backend) => {
  let now = 1_700_000_000_000.75;
  const store = await backend.open(`frac-${process.pid}:`, { clock: { now: () => now } as VirtualClock });
  try {
    await store.set('k', 'v', 10);
    expect(await store.ttl('k')).toBe(10);
    now += 10;
    expect(await store.get('k')).toBe('v');
    now += 1;
    expect(await store.get('k')).toBeNull();
  } finally {
    await store.clear();
    await store.close();
  }
});
