/**
 * PostgresStorage when the server fails, on a throwaway cluster this file starts itself (initdb +
 * pg_ctl, scripts/postgres/local-cluster.ts): killed, stalled (SIGSTOP) and restarted. Every call
 * rejects with ConnectionError within a bounded time, the same storage works again once the server
 * is back, and an mset cut off by a crash is all or nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isStorageError, type StorageError } from '../conformance/contract/index.js';
import { PostgresStorage } from '../implementations/postgres/index.js';
import { type LocalPostgres, localPostgresAvailable, startLocalPostgres } from '../scripts/postgres/local-cluster.js';
import { freePort } from '../scripts/redis/local-server.js';

const unavailable = localPostgresAvailable();
const COMMAND_TIMEOUT_MS = 800;
const CONNECT_TIMEOUT_MS = 800;
/** What "bounded" means here: the configured timeouts plus generous room for a loaded machine. */
const BOUND_MS = COMMAND_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 2_000;

let cluster: LocalPostgres;
let storage: PostgresStorage;

async function failure(action: Promise<unknown>): Promise<{ error: StorageError; elapsedMs: number }> {
  const started = performance.now();
  const outcome = await action.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const elapsedMs = performance.now() - started;
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  if (!isStorageError(outcome.error)) throw new Error(`expected a StorageError, got ${String(outcome.error)}`);
  return { error: outcome.error, elapsedMs };
}

/** Retries `action` until it resolves (the server coming back), within `withinMs`. */
async function eventually<T>(action: () => Promise<T>, withinMs = 10_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await action();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe.skipIf(unavailable !== undefined)(
  `PostgresStorage faults ${unavailable ? `(skipped: ${unavailable})` : ''}`,
  () => {
    beforeAll(async () => {
      cluster = await startLocalPostgres();
      storage = await PostgresStorage.connect(cluster.url, 'fault:', {
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        poolSize: 4,
      });
    }, 60_000);

    afterAll(async () => {
      await storage?.close();
      cluster?.destroy();
    });

    test('killed server: ConnectionError in bounded time, then the same storage works after a restart', async () => {
      await storage.set('before', 'v');
      cluster.kill();
      const calls = [storage.get('before'), storage.set('k', 'v'), storage.incr('n'), storage.keys('*')];
      for (const { error, elapsedMs } of await Promise.all(calls.map(failure))) {
        expect(error.kind, error.message).toBe('ConnectionError');
        expect(elapsedMs).toBeLessThan(BOUND_MS);
      }
      cluster.start();
      expect(await eventually(() => storage.get('before'))).toBe('v');
      expect(await storage.incr('n')).toBe(1);
    }, 60_000);

    test('stalled server (SIGSTOP): ConnectionError within commandTimeoutMs, then it works again after SIGCONT', async () => {
      await storage.set('stall', 'v');
      cluster.pause(true);
      try {
        const calls = [storage.get('stall'), storage.set('stall', 'w'), storage.mget(['stall']), storage.clear()];
        for (const { error, elapsedMs } of await Promise.all(calls.map(failure))) {
          expect(error.kind, error.message).toBe('ConnectionError');
          expect(elapsedMs).toBeLessThan(BOUND_MS);
        }
      } finally {
        cluster.pause(false);
      }
      const value = await eventually(() => storage.get('stall'));
      // The stalled set may have landed after SIGCONT (it was sent); clear may have too.
      expect([null, 'v', 'w']).toContain(value);
      await storage.set('stall', 'x');
      expect(await storage.get('stall')).toBe('x');
    }, 60_000);

    test('an mset cut off by a crash is all or nothing', async () => {
      await storage.clear();
      const items = Array.from({ length: 5_000 }, (_, i) => [`bulk:${i}`, 'x'.repeat(200)] as const);
      const pending = storage.mset(items).then(
        () => 'written',
        (error: unknown) => (isStorageError(error) ? error.kind : String(error)),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      cluster.kill();
      const outcome = await pending;
      cluster.start();
      const present = await eventually(() => storage.keys('bulk:*'));
      expect([0, items.length], `outcome ${outcome}`).toContain(present.length);
      if (outcome === 'written') expect(present).toHaveLength(items.length);
    }, 60_000);

    test('nobody listening: connect rejects with ConnectionError at once, the password in no message', async () => {
      const port = await freePort();
      const { error, elapsedMs } = await failure(
        PostgresStorage.connect(`postgres://app:Sup3r%40Secret@127.0.0.1:${port}/db`, '', { connectTimeoutMs: 1_000 }),
      );
      expect(error.kind).toBe('ConnectionError');
      expect(elapsedMs).toBeLessThan(BOUND_MS);
      const shown = `${error.message} ${error.stack} ${String((error.cause as Error | undefined)?.stack)}`;
      expect(shown).not.toMatch(/Sup3r|Secret/);
    });
  },
);
