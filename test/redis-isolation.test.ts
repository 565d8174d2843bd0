/**
 * CONTRACT "Namespaces and clear" as a property against one Redis server: two storages whose
 * prefixes contain generated glob metacharacters (and braces), neither a prefix of the other,
 * never see, list, count or clear each other's keys. The same property runs on a cluster in
 * test/redis-cluster.test.ts. Uses unique prefixes only, so it also runs against a shared REDIS_URL.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisStorage } from '../implementations/redis/index.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import { checkProperty, isolationProperty, rawClient } from './redis-helpers.js';

const FILE = 'test/redis-isolation.test.ts';
let redis: ProvisionedRedis;
let raw: Redis;

beforeAll(async () => {
  redis = await provisionRedis();
  raw = await rawClient(redis.url);
});

afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

test('generated metacharacter prefixes: neither storage sees, lists, counts or clears the other’s keys', async () => {
  await checkProperty(
    isolationProperty(
      'iso',
      (prefix) => RedisStorage.connect(redis.url, prefix),
      (s) => (s as RedisStorage).close(),
    ),
    FILE,
    100,
  );
  // Nothing left behind under the base every generated prefix started with.
  const left: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await raw.scan(cursor, 'MATCH', 'sk-test:iso:*', 'COUNT', 1000);
    left.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  expect(left).toEqual([]);
});
