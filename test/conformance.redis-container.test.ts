/**
 * RedisStorage through the conformance suite on a Redis that scripts/redis/provision.ts starts
 * through testcontainers: the path a user with Docker (and no redis-server) takes. REDIS_IMAGE and
 * REDIS_CONTAINER_NETWORK choose the image and the network (docs/containers-and-versions.md);
 * CI starts its own engine first (scripts/docker/engine.sh).
 *
 * Never a silent skip: with CI set, no Docker engine is a failure; elsewhere the skip says why.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisStorage } from '../implementations/redis/index.js';
import { dockerAnswers, type ProvisionedRedis, provisionRedis } from '../scripts/redis/provision.js';
import { runStrictSuite } from './helpers.js';
import { rawClient } from './redis-helpers.js';

const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const noEngine =
  'no Docker engine answers (DOCKER_HOST, /var/run/docker.sock); start one (docs/containers-and-versions.md, or scripts/docker/engine.sh start)';

if (await dockerAnswers()) {
  let redis: ProvisionedRedis;

  beforeAll(async () => {
    redis = await provisionRedis({ container: true });
  }, 120_000);

  afterAll(async () => {
    await redis?.stop();
  });

  describe('the Redis that testcontainers started', () => {
    test('came from testcontainers and runs in a container (its server is process 1 there)', async () => {
      expect(redis.source).toBe('testcontainers');
      const client = await rawClient(redis.url);
      try {
        expect(await client.info('server')).toMatch(/^process_id:1\r?$/m);
      } finally {
        client.disconnect();
      }
    });
  });

  runStrictSuite(
    async (ctx) => {
      const storage = await RedisStorage.connect(redis.url, `sk-container:${ctx.namespace}:`);
      return {
        storage,
        dispose: async () => {
          await storage.clear();
          await storage.close();
        },
      };
    },
    { name: 'RedisStorage on a testcontainers Redis', clock: 'real' },
  );
} else if (inCi) {
  test('RedisStorage on a testcontainers Redis', () => {
    throw new Error(`CI must run this file: ${noEngine}`);
  });
} else {
  console.warn(`test/conformance.redis-container.test.ts skipped: ${noEngine}`);
  test.skip(`RedisStorage on a testcontainers Redis — skipped: ${noEngine}`, () => {});
}
