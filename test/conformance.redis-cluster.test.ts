/**
 * RedisStorage.cluster through the kit's conformance suite (real clock), twice, on one 3-master
 * cluster (REDIS_CLUSTER_NODES, or a local one from scripts/redis/local-cluster.ts):
 *
 * 1. prefix `sk-conformance:<namespace>:` — no hash tag, so a storage's keys spread over many
 *    slots and the cross-slot paths run (mget/mdel/mset split per slot, SCAN on every master);
 * 2. prefix `{<namespace>}:` — a hash tag: every key of a storage is in one slot, mset is one
 *    MULTI/EXEC, fully atomic. The suite's namespaces contain glob metacharacters but no braces,
 *    and braces around metacharacters still form a hash tag.
 *
 * The cross-slot run declares `atomic-mset` unsupported, and says why: CONC-03 reads through a
 * second client of the same store, which can see part of a cross-slot mset (one MULTI/EXEC per
 * slot). The hash-tagged run declares nothing: the whole contract must hold there.
 */
import { afterAll, beforeAll } from 'vitest';
import { RedisStorage } from '../implementations/redis/index.js';
import { prefixSlot } from '../implementations/redis/slots.js';
import { type ProvisionedRedisCluster, provisionRedisCluster } from '../scripts/redis/provision.js';
import { runStrictSuite } from './helpers.js';

let cluster: ProvisionedRedisCluster;

beforeAll(async () => {
  cluster = await provisionRedisCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

function factory(prefixFor: (namespace: string) => string) {
  return async (ctx: { namespace: string }) => {
    const prefix = prefixFor(ctx.namespace);
    const storage = await RedisStorage.cluster(cluster.nodes, prefix);
    return {
      storage,
      dispose: async () => {
        await storage.clear();
        await storage.close();
      },
    };
  };
}

runStrictSuite(
  factory((namespace) => `sk-conformance:${namespace}:`),
  {
    name: 'RedisStorage on Redis Cluster, keys across slots',
    clock: 'real',
    unsupported: { 'atomic-mset': 'Redis Cluster: mset is atomic per hash slot only; use a hash-tagged prefix' },
  },
);

runStrictSuite(
  factory((namespace) => {
    const prefix = `{${namespace}}:`;
    if (prefixSlot(prefix) === undefined) throw new Error(`prefix ${JSON.stringify(prefix)} is not hash-tagged`);
    return prefix;
  }),
  { name: 'RedisStorage on Redis Cluster, hash-tagged prefix (one slot)', clock: 'real' },
);
