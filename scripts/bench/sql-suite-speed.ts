/**
 * Time to verdict of the full suite on PostgresStorage (the machine's PostgreSQL, POSTGRES_URL, a
 * table of its own dropped afterwards) and SqliteStorage (a file in a temporary folder), each with
 * the suite's virtual clock injected and with its own clock. A row whose backend is unavailable
 * is reported as skipped with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { checkConformance } from '../../conformance/index.js';
import type { SuiteOptions } from '../../conformance/suite/types.js';
import { PostgresStorage } from '../../implementations/postgres/index.js';
import { SqliteStorage } from '../../implementations/sqlite/index.js';
import { POSTGRES_BENCH_URL } from './sql-bench.js';
import type { SuiteRow } from './suite-speed.js';

type Timed = (name: string, rounds: number, run: () => Promise<string>) => Promise<SuiteRow>;

export async function measureSqlSuiteSpeed(seed: number, rounds: number, timed: Timed): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  const table = `sk_suite_${process.pid}_${Date.now()}`;
  const admin = new pg.Pool({ connectionString: POSTGRES_BENCH_URL, max: 1, connectionTimeoutMillis: 5_000 });
  admin.on('error', () => {});
  const modes: { clock: 'virtual' | 'real'; name: string }[] = [
    { clock: 'virtual', name: 'injected clock' },
    { clock: 'real', name: 'server clock' },
  ];
  try {
    await admin.query('SELECT 1');
    for (const mode of modes) {
      const options: SuiteOptions = { seed, clock: mode.clock };
      rows.push(
        await timed(`PostgresStorage, full suite, ${mode.name}`, rounds, async () => {
          const report = await checkConformance(async (ctx) => {
            const storage = await PostgresStorage.connect(POSTGRES_BENCH_URL, `${ctx.namespace}:`, {
              table,
              poolSize: 4,
              ...(mode.clock === 'virtual' ? { clock: ctx.clock } : {}),
            });
            return { storage, dispose: () => storage.close() };
          }, options);
          return report.headline;
        }),
      );
    }
  } catch (error) {
    const reason = `skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    rows.push({ name: 'PostgresStorage, full suite', ms: Number.NaN, rounds: 0, verdict: reason });
  } finally {
    await admin.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
    await admin.end();
  }
  const folder = mkdtempSync(join(tmpdir(), 'sa-storage-kit-suite-sqlite-'));
  try {
    for (const mode of [
      { clock: 'virtual' as const, name: 'injected clock' },
      { clock: 'real' as const, name: 'process clock' },
    ]) {
      rows.push(
        await timed(`SqliteStorage, full suite, ${mode.name}`, rounds, async () => {
          const file = join(folder, `${mode.clock}.db`);
          const report = await checkConformance(
            async (ctx) => {
              const storage = await SqliteStorage.open(file, `${ctx.namespace}:`, {
                ...(mode.clock === 'virtual' ? { clock: ctx.clock } : {}),
              });
              return { storage, dispose: () => storage.close() };
            },
            { seed, clock: mode.clock },
          );
          return report.headline;
        }),
      );
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return rows;
}
