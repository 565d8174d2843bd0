/**
 * RedisStorage through the kit's own conformance suite (real clock: Redis keeps its own time),
 * as a backend author would run it. Each storage the suite asks for gets the suite's namespace as
 * its key prefix, so this file also runs against a shared REDIS_URL.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisStorage } from '../implementations/redis/index.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import { runStrictSuite } from './helpers.js';

let redis: ProvisionedRedis;

beforeAll(async () => {
  redis = await provisionRedis();
});

afterAll(async () => {
  await redis?.stop();
});

runStrictSuite(
  async (ctx) => {
    const storage = await RedisStorage.connect(redis.url, `sk-conformance:${ctx.namespace}:`);
    return {
      storage,
      dispose: async () => {
        await storage.clear();
        await storage.close();
      },
    };
  },
  { name: 'RedisStorage', clock: 'real' },
);

// The same contract on a borrowed client (fromClient): the storage does not coalesce writes on
// a socket it does not own, and it bounds each of its own commands (the client has no commandTimeout).
runStrictSuite(
  async (ctx) => {
    const client = new Redis(redis.url, { lazyConnect: true });
    client.on('error', () => {});
    await client.connect();
    const storage = await RedisStorage.fromClient(client, `sk-conformance-borrowed:${ctx.namespace}:`);
    return {
      storage,
      dispose: async () => {
        await storage.clear();
        await storage.close();
        client.disconnect();
      },
    };
  },
  { name: 'RedisStorage.fromClient', clock: 'real' },
);
