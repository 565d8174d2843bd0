/**
 * SqliteStorage through the kit's own conformance suite, as a backend author would run it: with
 * the suite's virtual clock injected, and with the process clock. Each run uses a database file
 * of its own in a temporary folder; each storage the suite asks for gets the suite's namespace
 * as its key prefix, and opens the file on a connection of its own (so CONC-03's second client of
 * a namespace is a second connection to the same file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStorage } from '../implementations/sqlite/index.js';
import { runStrictSuite } from './helpers.js';

const folder = mkdtempSync(join(tmpdir(), 'sa-storage-kit-sqlite-'));

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

runStrictSuite(
  async (ctx) => {
    const storage = await SqliteStorage.open(join(folder, 'virtual.db'), `${ctx.namespace}:`, { clock: ctx.clock });
    return { storage, dispose: () => storage.close() };
  },
  { name: 'SqliteStorage (injected clock)' },
);

runStrictSuite(
  async (ctx) => {
    const storage = await SqliteStorage.open(join(folder, 'real.db'), `${ctx.namespace}:`);
    return {
      storage,
      dispose: async () => {
        await storage.clear();
        await storage.close();
      },
    };
  },
  { name: 'SqliteStorage (process clock)', clock: 'real' },
);
