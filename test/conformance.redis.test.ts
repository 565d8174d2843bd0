/**
 * RedisStorage through the kit's own conformance suite (real clock: Redis keeps its own time),
 * as a backend author would run it. Each storage the suite asks for gets the suite's namespace as
 * its key prefix, so this file also runs against a shared REDIS_URL.
 */
import { afterAll, beforeAll } from 'vitest';
import { runSaStorageSuite } from '../conformance/index.js';
import { RedisStorage } from '../implementations/redis/index.js';
import { type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';

let redis: ProvisionedRedis;

beforeAll(async () => {
  redis = await provisionRedis();
});

afterAll(async () => {
  await redis?.stop();
});

runSaStorageSuite(
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

// The same contract with ioredis auto-pipelining on (commands of one tick share a write).
runSaStorageSuite(
  async (ctx) => {
    const storage = await RedisStorage.connect(redis.url, `sk-conformance-ap:${ctx.namespace}:`, {
      autoPipelining: true,
    });
    return {
      storage,
      dispose: async () => {
        await storage.clear();
        await storage.close();
      },
    };
  },
  { name: 'RedisStorage with autoPipelining', clock: 'real' },
);
