/**
 * PostgresStorage through the kit's own conformance suite, as a backend author would run it:
 * with the suite's virtual clock injected, and with the database server's own clock. Each run
 * uses a table of its own on the machine's PostgreSQL (POSTGRES_URL), dropped at the end; each
 * storage the suite asks for gets the suite's namespace as its key prefix.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { PostgresStorage } from '../implementations/postgres/index.js';
import { runStrictSuite } from './helpers.js';
import { dropTables, POSTGRES_URL, uniqueTable } from './postgres-helpers.js';

const virtualTable = uniqueTable('conf_virtual');
const realTable = uniqueTable('conf_real');
let pool: pg.Pool;

beforeAll(() => {
  pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 10, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {});
});

afterAll(async () => {
  await pool?.end();
  await dropTables([virtualTable, realTable]);
});

// Injected clock: every deadline and comparison reads ctx.clock (sent as a statement parameter).
runStrictSuite(
  async (ctx) => {
    const storage = await PostgresStorage.fromPool(pool, `${ctx.namespace}:`, {
      table: virtualTable,
      clock: ctx.clock,
    });
    return { storage, dispose: () => storage.close() };
  },
  { name: 'PostgresStorage (injected clock)' },
);

// The server's clock, through a pool the storage opens and owns (connect).
runStrictSuite(
  async (ctx) => {
    const storage = await PostgresStorage.connect(POSTGRES_URL, `${ctx.namespace}:`, {
      table: realTable,
      poolSize: 4,
    });
    return {
      storage,
      dispose: async () => {
        await storage.clear();
        await storage.close();
      },
    };
  },
  { name: 'PostgresStorage (server clock)', clock: 'real' },
);
