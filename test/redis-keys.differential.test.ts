/**
 * Differential test of `keys(pattern)`: for random key sets and patterns from a glob-heavy alphabet,
 * MemoryStorage.keys, RedisStorage.keys (with a prefix full of glob metacharacters, and with an
 * empty prefix) and raw Redis KEYS (read per the contract's empty-key rule) give the same set.
 * Also checks on every run that keys outside the prefix are never listed nor cleared.
 *
 * Owns its server: the prefixed storage lives in database 1, the unprefixed one in database 2.
 * Replay a failure with FC_SEED=<seed> FC_PATH=<path> npx vitest run test/redis-keys.differential.test.ts.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MemoryStorage } from '../implementations/memory/index.js';
import { RedisStorage } from '../implementations/redis/index.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import { checkProperty, globKey, globPattern, rawClient } from './redis-helpers.js';

/** Every glob metacharacter Redis knows, plus multi-byte text, in the prefix. */
const PREFIX = 'p[*?]\\^-é🙂:';
/** Keys a broken (unescaped) prefix pattern would catch: they must never be listed or cleared. */
const NEIGHBOURS = ['p*^-é🙂:a', 'p?^-é🙂:', 'p*', 'p[', 'p[*?]\\^-é🙂', 'p[*?]^-é🙂:a', 'p[*?]\\^-é🙂;a', 'a', ''];

const onlyStars = (p: string) => /^\*+$/.test(p);
const sorted = (keys: readonly string[]) => [...keys].sort();

let redis: ProvisionedRedis;
let prefixed: RedisStorage;
let unprefixed: RedisStorage;
let db1: Redis;
let db2: Redis;

beforeAll(async () => {
  redis = await provisionRedis({ exclusive: true });
  prefixed = await RedisStorage.fromConfig(configFor(1), PREFIX);
  unprefixed = await RedisStorage.fromConfig(configFor(2), '');
  db1 = await rawClient(redis.url, 1);
  db2 = await rawClient(redis.url, 2);
});

afterAll(async () => {
  await prefixed?.close();
  await unprefixed?.close();
  db1?.disconnect();
  db2?.disconnect();
  await redis?.stop();
});

function configFor(database: number) {
  const url = new URL(redis.url);
  return {
    host: url.hostname,
    port: Number(url.port),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
  };
}

test('MemoryStorage, RedisStorage (metacharacter prefix / empty prefix) and Redis KEYS agree', async () => {
  await checkProperty(
    fc.asyncProperty(
      fc.uniqueArray(globKey, { maxLength: 10 }),
      fc.array(globPattern, { minLength: 1, maxLength: 6 }),
      fc.constantFrom(undefined, 60_000),
      async (keys, patterns, ttl) => {
        const memory = new MemoryStorage({ sweepIntervalMs: 0 });
        await prefixed.clear();
        await unprefixed.clear();
        expect(await db2.dbsize()).toBe(0);
        await db1.mset(NEIGHBOURS.flatMap((k) => [k, 'neighbour']));
        const items = keys.map((k) => [k, 'v'] as const);
        await memory.mset(items, ttl);
        await prefixed.mset(items, ttl);
        await unprefixed.mset(items, ttl);

        for (const p of patterns) {
          const fromMemory = sorted(await memory.keys(p));
          const raw = await db2.keys(p);
          if (onlyStars(p) && keys.includes('') && !raw.includes('')) raw.push(''); // contract's empty-key rule
          const label = `pattern ${JSON.stringify(p)} over ${JSON.stringify(keys)}`;
          expect(sorted(await prefixed.keys(p)), `prefixed: ${label}`).toEqual(fromMemory);
          expect(sorted(await unprefixed.keys(p)), `unprefixed: ${label}`).toEqual(fromMemory);
          expect(sorted(raw), `raw KEYS: ${label}`).toEqual(fromMemory);
        }

        await prefixed.clear();
        expect(await prefixed.keys('*')).toEqual([]);
        expect(sorted(await db1.keys('*'))).toEqual(sorted(NEIGHBOURS)); // only the storage's own keys went
        await db1.del(...NEIGHBOURS);
        await memory.close();
      },
    ),
    'test/redis-keys.differential.test.ts',
  );
});
