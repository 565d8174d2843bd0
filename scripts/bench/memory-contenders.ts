/**
 * The in-process contenders: MemoryStorage, the peers a user would pick instead, and the raw
 * `Map`-with-deadline baseline. Each contender writes its own loop for each operation (calling
 * its own API the way its users do: awaited when it is async, plain calls when it is sync), so
 * no loop is shared between contenders and every call site stays monomorphic.
 */
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import NodeCache from 'node-cache';
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { MemoryStorage } from '../../implementations/memory/index.js';
import { consume, type Work } from './stats.js';

export type MemoryOp = 'get' | 'set' | 'incr' | 'mget' | 'keys';

export const MEMORY_OPS: readonly { op: MemoryOp; label: string }[] = [
  { op: 'get', label: 'get (hit)' },
  { op: 'set', label: 'set with TTL' },
  { op: 'incr', label: 'incr' },
  { op: 'mget', label: 'mget of 100' },
  { op: 'keys', label: "keys('prefix:*')" },
];

/** TTL used by every `set` row: one minute, so nothing expires while we measure. */
export const SET_TTL_MS = 60_000;

export interface MemoryDataset {
  /** The working set: keys preloaded for get/mget, overwritten by set. */
  readonly keys: readonly string[];
  readonly values: readonly string[];
  /** Counter keys for incr (missing at first, then canonical integers). */
  readonly counters: readonly string[];
  /** Batches of 100 keys (present ones) for mget. */
  readonly batches: readonly (readonly string[])[];
  /** The store for the keys row: half `prefix:…`, half `other:…`. */
  readonly listing: readonly string[];
  /** How many of `listing` match `prefix:*`. */
  readonly listingMatches: number;
}

export function makeDataset(workingSet: number, listingSize: number): MemoryDataset {
  const keys = Array.from({ length: workingSet }, (_, i) => `session:${i}`);
  const values = Array.from({ length: workingSet }, (_, i) => `token-${i}-${(i * 2654435761) % 4294967296}`);
  const counters = Array.from({ length: 1024 }, (_, i) => `counter:${i}`);
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const batches = Array.from({ length: 64 }, () =>
    Array.from({ length: 100 }, () => keys[Math.floor(random() * keys.length)] as string),
  );
  const listing = Array.from({ length: listingSize }, (_, i) => (i % 2 === 0 ? `prefix:${i}` : `other:${i}`));
  return { keys, values, counters, batches, listing, listingMatches: Math.ceil(listingSize / 2) };
}

export interface Prepared {
  readonly work: Work;
  dispose(): void | Promise<void>;
}

export interface MemoryContender {
  readonly id: string;
  readonly label: string;
  /** Per-operation caveats printed under the table (emulations, ignored options). */
  readonly notes: Partial<Record<MemoryOp, string>>;
  /** A fresh store loaded for `op`, and the loop that performs `op` n times on it. */
  prepare(op: MemoryOp, data: MemoryDataset): Promise<Prepared>;
}

/** The least a TTL store must do, behind the contract's async API: a Map of value + deadline, lazy expiry on read. */
export class MapWithDeadline {
  readonly #map = new Map<string, { value: string; deadline: number }>();

  get size(): number {
    return this.#map.size;
  }

  #live(key: string, now: number): { value: string; deadline: number } | undefined {
    const entry = this.#map.get(key);
    if (entry !== undefined && now > entry.deadline) {
      this.#map.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key: string): Promise<string | null> {
    return this.#live(key, Date.now())?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#map.set(key, { value, deadline: ttlMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + ttlMs });
  }

  async incr(key: string): Promise<number> {
    const entry = this.#live(key, Date.now());
    const next = (entry === undefined ? 0 : Number(entry.value)) + 1;
    if (entry === undefined) this.#map.set(key, { value: String(next), deadline: Number.POSITIVE_INFINITY });
    else entry.value = String(next);
    return next;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return keys.map((key) => this.#live(key, now)?.value ?? null);
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    const now = Date.now();
    const result: string[] = [];
    for (const [key, entry] of this.#map) {
      if (now > entry.deadline) this.#map.delete(key);
      else if (key.startsWith(prefix)) result.push(key);
    }
    return result;
  }
}

const noop = () => {};

export const mapBaseline: MemoryContender = {
  id: 'map',
  label: 'Map + deadline (baseline)',
  notes: {},
  async prepare(op, data) {
    const s = new MapWithDeadline();
    const { keys, values, counters, batches } = data;
    const size = keys.length;
    if (op === 'keys') for (const key of data.listing) await s.set(key, 'v', SET_TTL_MS);
    else for (let i = 0; i < size; i++) await s.set(keys[i] as string, values[i] as string, SET_TTL_MS);
    const loops: Record<MemoryOp, Work> = {
      get: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) consume(await s.get(keys[j] as string));
      },
      set: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) {
          await s.set(keys[j] as string, values[j] as string, SET_TTL_MS);
        }
      },
      incr: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.incr(counters[i & 1023] as string));
      },
      mget: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.mget(batches[i & 63] as readonly string[]));
      },
      keys: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.keysWithPrefix('prefix:'));
      },
    };
    return { work: loops[op], dispose: noop };
  },
};

export const memoryStorage: MemoryContender = {
  id: 'memory',
  label: 'MemoryStorage',
  notes: {},
  async prepare(op, data) {
    const s = new MemoryStorage();
    const { keys, values, counters, batches } = data;
    const size = keys.length;
    if (op === 'keys') for (const key of data.listing) await s.set(key, 'v', SET_TTL_MS);
    else for (let i = 0; i < size; i++) await s.set(keys[i] as string, values[i] as string, SET_TTL_MS);
    const loops: Record<MemoryOp, Work> = {
      get: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) consume(await s.get(keys[j] as string));
      },
      set: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) {
          await s.set(keys[j] as string, values[j] as string, SET_TTL_MS);
        }
      },
      incr: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.incr(counters[i & 1023] as string));
      },
      mget: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.mget(batches[i & 63] as readonly string[]));
      },
      keys: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.keys('prefix:*'));
      },
    };
    return { work: loops[op], dispose: () => s.close() };
  },
};

export const keyvMemory: MemoryContender = {
  id: 'keyv',
  label: 'keyv (Map store)',
  notes: {
    incr: 'keyv: no incr; emulated as get + set (not atomic, TTL dropped)',
    keys: 'keyv: `iterator()` + `startsWith` filter',
    mget: 'keyv: `getMany`',
  },
  async prepare(op, data) {
    const s = new Keyv<string>();
    const { keys, values, counters, batches } = data;
    const size = keys.length;
    if (op === 'keys') for (const key of data.listing) await s.set(key, 'v', SET_TTL_MS);
    else for (let i = 0; i < size; i++) await s.set(keys[i] as string, values[i] as string, SET_TTL_MS);
    const iterator = s.iterator;
    const loops: Record<MemoryOp, Work> = {
      get: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) consume(await s.get(keys[j] as string));
      },
      set: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) {
          await s.set(keys[j] as string, values[j] as string, SET_TTL_MS);
        }
      },
      incr: async (n) => {
        for (let i = 0; i < n; i++) {
          const key = counters[i & 1023] as string;
          const next = Number((await s.get(key)) ?? 0) + 1;
          await s.set(key, String(next));
          consume(next);
        }
      },
      mget: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.getMany(batches[i & 63] as string[]));
      },
      keys: async (n) => {
        if (iterator === undefined) throw new Error('keyv has no iterator for its Map store');
        for (let i = 0; i < n; i++) {
          const found: string[] = [];
          for await (const [key] of iterator(undefined))
            if ((key as string).startsWith('prefix:')) found.push(key as string);
          consume(found);
        }
      },
    };
    return { work: loops[op], dispose: () => s.clear() };
  },
};

export const unstorageMemory: MemoryContender = {
  id: 'unstorage',
  label: 'unstorage (memory driver)',
  notes: {
    set: 'unstorage memory driver: the `ttl` option is accepted and ignored (keys never expire)',
    incr: 'unstorage: no incr; emulated as getItem + setItem (not atomic)',
    mget: 'unstorage: `getItems`',
    keys: "unstorage: `getKeys('prefix')` (its own base filter)",
  },
  async prepare(op, data) {
    const s = createStorage<string>({ driver: memoryDriver() });
    const { keys, values, counters, batches } = data;
    const size = keys.length;
    if (op === 'keys') for (const key of data.listing) await s.setItem(key, 'v', { ttl: SET_TTL_MS / 1000 });
    else for (let i = 0; i < size; i++) await s.setItem(keys[i] as string, values[i] as string, { ttl: 60 });
    const loops: Record<MemoryOp, Work> = {
      get: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) consume(await s.getItem(keys[j] as string));
      },
      set: async (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) {
          await s.setItem(keys[j] as string, values[j] as string, { ttl: 60 });
        }
      },
      incr: async (n) => {
        for (let i = 0; i < n; i++) {
          const key = counters[i & 1023] as string;
          const next = Number((await s.getItem(key)) ?? 0) + 1;
          await s.setItem(key, String(next));
          consume(next);
        }
      },
      mget: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.getItems(batches[i & 63] as string[]));
      },
      keys: async (n) => {
        for (let i = 0; i < n; i++) consume(await s.getKeys('prefix'));
      },
    };
    return { work: loops[op], dispose: () => s.dispose() };
  },
};

export const nodeCache: MemoryContender = {
  id: 'node-cache',
  label: 'node-cache',
  notes: {
    get: 'node-cache and lru-cache are synchronous: called without `await`',
    set: 'node-cache: TTL in seconds (`set(k, v, 60)`)',
    incr: 'node-cache: no incr; emulated as get + set (TTL dropped)',
    mget: 'node-cache: `mget` (returns an object)',
    keys: 'node-cache: `keys()` + `startsWith` filter',
  },
  async prepare(op, data) {
    const s = new NodeCache();
    const { keys, values, counters, batches } = data;
    const size = keys.length;
    if (op === 'keys') for (const key of data.listing) s.set(key, 'v', SET_TTL_MS / 1000);
    else for (let i = 0; i < size; i++) s.set(keys[i] as string, values[i] as string, SET_TTL_MS / 1000);
    const loops: Record<MemoryOp, Work> = {
      get: (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) consume(s.get<string>(keys[j] as string));
      },
      set: (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) {
          s.set(keys[j] as string, values[j] as string, 60);
        }
      },
      incr: (n) => {
        for (let i = 0; i < n; i++) {
          const key = counters[i & 1023] as string;
          const next = Number(s.get<string>(key) ?? 0) + 1;
          s.set(key, String(next));
          consume(next);
        }
      },
      mget: (n) => {
        for (let i = 0; i < n; i++) consume(s.mget<string>(batches[i & 63] as string[]));
      },
      keys: (n) => {
        for (let i = 0; i < n; i++) consume(s.keys().filter((key) => key.startsWith('prefix:')));
      },
    };
    return {
      work: loops[op],
      dispose: () => {
        s.flushAll();
        s.close();
      },
    };
  },
};

export const lruCache: MemoryContender = {
  id: 'lru-cache',
  label: 'lru-cache (ttl)',
  notes: {
    set: 'lru-cache: `max` sized to the store, `ttl` per call; stale entries are only dropped when read (no `ttlAutopurge`)',
    incr: 'lru-cache: no incr; emulated as get + set (TTL dropped)',
    mget: 'lru-cache: no mget; 100 gets',
    keys: 'lru-cache: `keys()` (iterates and skips stale) + `startsWith` filter',
  },
  async prepare(op, data) {
    const { keys, values, counters, batches } = data;
    const size = keys.length;
    const s = new LRUCache<string, string>({
      max: Math.max(op === 'keys' ? data.listing.length : size + counters.length, 1),
      ttl: SET_TTL_MS,
    });
    if (op === 'keys') for (const key of data.listing) s.set(key, 'v');
    else for (let i = 0; i < size; i++) s.set(keys[i] as string, values[i] as string);
    const loops: Record<MemoryOp, Work> = {
      get: (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) consume(s.get(keys[j] as string));
      },
      set: (n) => {
        for (let i = 0, j = 0; i < n; i++, j = j + 1 === size ? 0 : j + 1) {
          s.set(keys[j] as string, values[j] as string, { ttl: SET_TTL_MS });
        }
      },
      incr: (n) => {
        for (let i = 0; i < n; i++) {
          const key = counters[i & 1023] as string;
          const next = Number(s.get(key) ?? 0) + 1;
          s.set(key, String(next), { ttl: 0 });
          consume(next);
        }
      },
      mget: (n) => {
        for (let i = 0; i < n; i++) {
          const batch = batches[i & 63] as readonly string[];
          consume(batch.map((key) => s.get(key) ?? null));
        }
      },
      keys: (n) => {
        for (let i = 0; i < n; i++) {
          const found: string[] = [];
          for (const key of s.keys()) if (key.startsWith('prefix:')) found.push(key);
          consume(found);
        }
      },
    };
    return { work: loops[op], dispose: () => s.clear() };
  },
};

/** Baseline first; the order of the rest is the column order of the report. */
export const MEMORY_CONTENDERS: readonly MemoryContender[] = [
  mapBaseline,
  memoryStorage,
  keyvMemory,
  unstorageMemory,
  nodeCache,
  lruCache,
];
