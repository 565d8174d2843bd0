/**
 * The Redis contenders: RedisStorage (as `connect()` builds it, and wrapping a caller's client
 * with `fromClient`), raw ioredis sending the same commands, @keyv/redis and unstorage's redis
 * driver. Each one keeps its own key layout; the bench loads the same data into each layout.
 */
import { createKeyv } from '@keyv/redis';
import { Redis, type RedisOptions } from 'ioredis';
import { createStorage } from 'unstorage';
import redisDriver from 'unstorage/drivers/redis';
import { RedisStorage } from '../../implementations/redis/index.js';
import { SET_ALL_SCRIPT, STEP_SCRIPT } from '../../implementations/redis/lua.js';

export type RedisOp = 'get' | 'set' | 'incr' | 'mget' | 'mset';

export const REDIS_OPS: readonly { op: RedisOp; label: string; bulk: boolean }[] = [
  { op: 'get', label: 'get', bulk: false },
  { op: 'set', label: 'set with TTL', bulk: false },
  { op: 'incr', label: 'incr', bulk: false },
  { op: 'mget', label: 'mget of 100', bulk: true },
  { op: 'mset', label: 'mset of 100 with TTL', bulk: true },
];

export const TTL_MS = 60_000;
export const WORKING_SET = 1000;

export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

/** What a contender can do; `i` picks the key (callers pass a running index). */
export interface RedisSession {
  readonly ops: Record<RedisOp, (i: number) => Promise<unknown>>;
  /** Lists every key of the contender's namespace (its own API). */
  listKeys(): Promise<number>;
  /** Removes every key of the contender's namespace (its own API). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisContender {
  readonly id: string;
  readonly label: string;
  /** How a logical key is stored in Redis, and how a value is stored (for loading data directly). */
  readonly layout: { readonly prefix: string; encode(value: string): string };
  readonly notes: readonly string[];
  open(target: RedisTarget): Promise<RedisSession>;
}

export const keyOf = (i: number) => `k:${i % WORKING_SET}`;
export const tokenFor = (i: number) => `token-${i}-${(i * 2654435761) % 4294967296}`;
const counterOf = (i: number) => `counter:${i % 100}`;
const batchOf = (i: number) => Array.from({ length: 100 }, (_, j) => keyOf(i * 100 + j * 7));
const entriesOf = (i: number) =>
  Array.from({ length: 100 }, (_, j) => [keyOf(i * 100 + j * 7), tokenFor(i + j)] as [string, string]);

function ioredis(target: RedisTarget, options: RedisOptions = {}): Redis {
  const client = new Redis({ host: target.host, port: target.port, lazyConnect: true, ...options });
  client.on('error', () => {});
  return client;
}

const identity = (value: string) => value;

/**
 * Raw ioredis sending exactly the commands RedisStorage sends (its two scripts loaded up front):
 * default options, or with an ioredis `commandTimeout`, which ioredis implements with a timer per
 * command (RedisStorage bounds replies with one periodic check of its connections instead).
 */
export function rawIoredis(autoPipelining: boolean, commandTimeout?: number): RedisContender {
  const prefix = 'b:';
  const traits = [autoPipelining ? 'autopipelining' : '', commandTimeout === undefined ? '' : 'commandTimeout'];
  const shown = traits.filter(Boolean).join(', ');
  return {
    id: `raw${autoPipelining ? '-ap' : ''}${commandTimeout === undefined ? '' : '-ct'}`,
    label: shown === '' ? 'raw ioredis' : `raw ioredis (${shown})`,
    layout: { prefix, encode: identity },
    notes:
      commandTimeout === undefined
        ? []
        : [
            `raw ioredis (…commandTimeout): raw ioredis with \`commandTimeout: ${commandTimeout}\` (a timer per command): what bounding every reply costs when ioredis does it; RedisStorage bounds replies just as tightly (commandTimeoutMs 5000) with one periodic check of its connection's queue, nothing per command.`,
          ],
    async open(target) {
      const client = ioredis(target, {
        enableAutoPipelining: autoPipelining,
        ...(commandTimeout === undefined ? {} : { commandTimeout }),
      });
      await client.connect();
      await client.script('LOAD', STEP_SCRIPT.source);
      await client.script('LOAD', SET_ALL_SCRIPT.source);
      const scan = async (onBatch: (keys: string[]) => Promise<void> | void) => {
        let cursor = '0';
        do {
          const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (batch.length > 0) await onBatch(batch);
        } while (cursor !== '0');
      };
      return {
        ops: {
          get: (i) => client.get(prefix + keyOf(i)),
          set: (i) => client.set(prefix + keyOf(i), tokenFor(i), 'PX', TTL_MS),
          incr: (i) => client.evalsha(STEP_SCRIPT.sha1, 1, prefix + counterOf(i), 1),
          mget: (i) => client.mget(batchOf(i).map((key) => prefix + key)),
          mset: (i) => {
            const entries = entriesOf(i);
            const keys = entries.map(([key]) => prefix + key);
            const values = entries.map(([, value]) => value);
            return client.evalsha(SET_ALL_SCRIPT.sha1, keys.length, ...keys, ...values, TTL_MS);
          },
        },
        async listKeys() {
          const found = new Set<string>();
          await scan((batch) => {
            for (const key of batch) found.add(key.slice(prefix.length));
          });
          return found.size;
        },
        async clear() {
          await scan(async (batch) => {
            await client.unlink(batch);
          });
        },
        async close() {
          client.disconnect();
        },
      };
    },
  };
}

/** What sa-token-rust's RedisStorage does for clear (KEYS, then delete them all): the stall reference. */
export const naiveKeys: RedisContender = {
  id: 'naive-keys',
  label: 'raw KEYS + UNLINK (reference)',
  layout: { prefix: 'b:', encode: identity },
  notes: [],
  async open(target) {
    const client = ioredis(target);
    await client.connect();
    const unsupported = () => Promise.reject(new Error('bulk-only contender'));
    return {
      ops: { get: unsupported, set: unsupported, incr: unsupported, mget: unsupported, mset: unsupported },
      async listKeys() {
        return (await client.keys('b:*')).length;
      },
      async clear() {
        const keys = await client.keys('b:*');
        for (let i = 0; i < keys.length; i += 100_000) await client.unlink(keys.slice(i, i + 100_000));
      },
      async close() {
        client.disconnect();
      },
    };
  },
};

/** Nothing at all for as long as a clear takes: the stall columns' noise floor on this machine. */
export function idle(ms: number): RedisContender {
  return {
    id: 'idle',
    label: 'idle: nothing running (noise floor)',
    layout: { prefix: 'idle:', encode: identity },
    notes: [],
    async open() {
      const unsupported = () => Promise.reject(new Error('bulk-only contender'));
      const wait = () => new Promise<void>((resolve) => setTimeout(resolve, ms));
      return {
        ops: { get: unsupported, set: unsupported, incr: unsupported, mget: unsupported, mset: unsupported },
        listKeys: async () => {
          await wait();
          return 0;
        },
        clear: wait,
        close: async () => {},
      };
    },
  };
}

function storageSession(storage: RedisStorage, onClose: () => Promise<void>): RedisSession {
  return {
    ops: {
      get: (i) => storage.get(keyOf(i)),
      set: (i) => storage.set(keyOf(i), tokenFor(i), TTL_MS),
      incr: (i) => storage.incr(counterOf(i)),
      mget: (i) => storage.mget(batchOf(i)),
      mset: (i) => storage.mset(entriesOf(i), TTL_MS),
    },
    async listKeys() {
      return (await storage.keys('*')).length;
    },
    clear: () => storage.clear(),
    close: onClose,
  };
}

/** RedisStorage.connect(url, prefix): the storage with its own connection, as users get it. */
export const redisStorageConnect: RedisContender = {
  id: 'rs',
  label: 'RedisStorage',
  layout: { prefix: 'b:', encode: identity },
  notes: [
    "RedisStorage = `RedisStorage.connect(url, prefix)` with its defaults: commandTimeoutMs 5000 (one periodic check bounds every reply), no offline queue; the commands a tick issues leave corked, 16 per socket write. It has no autopipelining switch (its own batching measured faster than ioredis's), so the same RedisStorage appears in both tables.",
  ],
  async open(target) {
    const storage = await RedisStorage.connect(target.url, 'b:');
    return storageSession(storage, () => storage.close());
  },
};

/** @keyv/redis (node-redis underneath): `createKeyv(url, { namespace })`, Keyv's JSON envelope around values. */
export const keyvRedis: RedisContender = {
  id: 'keyv-redis',
  label: '@keyv/redis',
  layout: { prefix: 'kv::', encode: (value) => JSON.stringify({ value, expires: null }) },
  notes: [
    '@keyv/redis runs on node-redis, which pipelines commands issued in the same tick by itself (it has no switch); values are stored as a JSON envelope `{"value":…,"expires":…}`.',
    '@keyv/redis incr: no incr; emulated as get + set (not atomic, TTL dropped). keys: `keyv.iterator()` (SCAN with the default COUNT, plus an MGET of every batch). clear: SCAN COUNT 1000 + UNLINK per batch.',
  ],
  async open(target) {
    const keyv = createKeyv(target.url, { namespace: 'kv' });
    await keyv.get('warm-up'); // connects
    return {
      ops: {
        get: (i) => keyv.get(keyOf(i)),
        set: (i) => keyv.set(keyOf(i), tokenFor(i), TTL_MS),
        incr: async (i) => {
          const key = counterOf(i);
          const next = Number((await keyv.get<string>(key)) ?? 0) + 1;
          await keyv.set(key, String(next));
          return next;
        },
        mget: (i) => keyv.getMany(batchOf(i)),
        mset: (i) => keyv.setMany(entriesOf(i).map(([key, value]) => ({ key, value, ttl: TTL_MS }))),
      },
      async listKeys() {
        const iterator = keyv.iterator;
        if (iterator === undefined) throw new Error('@keyv/redis exposes no iterator');
        let count = 0;
        for await (const _ of iterator(undefined)) count++;
        return count;
      },
      clear: () => keyv.clear(),
      async close() {
        await keyv.disconnect();
      },
    };
  },
};

/** unstorage's redis driver (ioredis underneath; options pass through to `new Redis`). */
export function unstorageRedis(autoPipelining: boolean): RedisContender {
  return {
    id: autoPipelining ? 'unstorage-ap' : 'unstorage',
    label: autoPipelining ? 'unstorage redis (autopipelining)' : 'unstorage redis',
    layout: { prefix: 'us:', encode: identity },
    notes: [
      'unstorage: TTL in whole seconds (`EX`); incr emulated as getItem + setItem (not atomic); mset = `setItems`, which the redis driver runs as 100 parallel SETs (no transaction); keys/clear: SCAN with the default COUNT (10), and clear sends ONE UNLINK with every key.',
    ],
    async open(target) {
      const storage = createStorage<string>({
        driver: redisDriver({ host: target.host, port: target.port, base: 'us', enableAutoPipelining: autoPipelining }),
      });
      await storage.getItem('warm-up'); // connects
      return {
        ops: {
          get: (i) => storage.getItem(keyOf(i)),
          set: (i) => storage.setItem(keyOf(i), tokenFor(i), { ttl: TTL_MS / 1000 }),
          incr: async (i) => {
            const key = counterOf(i);
            const next = Number((await storage.getItem(key)) ?? 0) + 1;
            await storage.setItem(key, String(next));
            return next;
          },
          mget: (i) => storage.getItems(batchOf(i)),
          mset: (i) =>
            storage.setItems(
              entriesOf(i).map(([key, value]) => ({ key, value })),
              { ttl: TTL_MS / 1000 },
            ),
        },
        async listKeys() {
          return (await storage.getKeys()).length;
        },
        clear: () => storage.clear(),
        async close() {
          await storage.dispose();
        },
      };
    },
  };
}
