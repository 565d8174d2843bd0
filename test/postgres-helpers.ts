/**
 * PostgreSQL for tests: the machine's server (POSTGRES_URL, default 127.0.0.1:5432 database
 * `test`, trust auth), each test file in tables of its own that it drops at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A table name no other run uses. */
export function uniqueTable(label: string): string {
  return `sk_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops the given tables (after a test file). */
export async function dropTables(tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  try {
    for (const table of tables) await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  } finally {
    await pool.end();
  }
}
