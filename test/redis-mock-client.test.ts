/**
 * RedisStorage.fromClient over an ioredis-compatible client that is not ioredis (ioredis-mock,
 * in memory): here the mock's compatibility is the point. The reply watchdog reads ioredis's
 * internal command queue, which such a client lacks; it must fall back to a bound per command
 * instead of crashing the process from its timer (it did: an uncaught TypeError ~50 ms in).
 */
import RedisMock from 'ioredis-mock';
import { describe, expect, test } from 'vitest';
import { isStorageError } from '../conformance/contract/index.js';
import { checkConformance } from '../conformance/index.js';
import { RedisStorage } from '../implementations/redis/index.js';
import { ReplyWatchdog } from '../implementations/redis/reply-watchdog.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fromClient with an ioredis-compatible mock client', () => {
  test('works, and the watchdog’s timer does not crash the process', async () => {
    const storage = await RedisStorage.fromClient(new RedisMock() as never, 'app:', { commandTimeoutMs: 100 });
    await storage.set('a', '1');
    expect(await storage.get('a')).toBe('1');
    expect(await storage.keys('*')).toEqual(['a']);
    await sleep(300); // several check periods of the watchdog (10 ms for a 100 ms bound)
    expect(await storage.exists('a')).toBe(true);
    await storage.close();
  });

  test('a command the client never answers is still bounded (per call, since the queue cannot be read)', async () => {
    const client = new RedisMock();
    (client as unknown as { get: () => Promise<never> }).get = () => new Promise(() => {});
    const storage = await RedisStorage.fromClient(client as never, 'app:', { commandTimeoutMs: 150 });
    const started = performance.now();
    const error = await storage.get('k').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStorageError(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/timed out/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    await storage.close();
  });

  test('the watchdog skips a connection without ioredis internals instead of throwing', () => {
    const watchdog = new ReplyWatchdog(10, () => [{} as never, { commandQueue: { length: 1 } } as never]);
    expect(() => watchdog.check()).not.toThrow();
  });

  test('the conformance check over the mock ends with a report', async () => {
    const report = await checkConformance(
      async (ctx) => {
        const storage = await RedisStorage.fromClient(new RedisMock() as never, ctx.namespace, {
          commandTimeoutMs: 1000,
        });
        return { storage, dispose: () => storage.close() };
      },
      { clock: 'real', only: ['KV-01', 'KV-02', 'BULK-01'], seed: 3 },
    );
    expect(report.results).toHaveLength(3);
    expect(report.results.find((r) => r.id === 'KV-01')?.status).toBe('pass');
  }, 60_000);
});
