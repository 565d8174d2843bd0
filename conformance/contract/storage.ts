/**
 * The SaStorage contract (see CONTRACT.md / SPEC.md) and SaStorageBase, the
 * equivalent of the Rust trait's provided methods.
 */
import { stepCounter } from './counter.js';
import { assertEntryList, assertKeyList, assertWellFormedString, normalizeOptionalTtl } from './validation.js';

/** Durations are milliseconds; `null`/`undefined` means "no TTL". */
export type Ttl = number | null | undefined;

/** A [key, value] pair for `mset`. */
export type Entry = readonly [key: string, value: string];

/** The clock an in-process backend reads; the conformance suite injects a virtual one. */
export interface Clock {
  /** Current time in milliseconds since the epoch (any monotonic-enough origin works for deadlines). */
  now(): number;
}

/** The real time, `Date.now()`: the default clock of MemoryStorage. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * The SaStorage contract (SPEC.md): thirteen methods, each returning a Promise. Durations are
 * milliseconds. Every failure is a rejected promise carrying a {@link StorageError}, never a
 * synchronous throw; a rejected call changes nothing. An expired key is invisible to every method.
 */
export interface SaStorage {
  /** The value of a live key, or `null` when it is missing or expired. `""` is a value, not an absence. */
  get(key: string): Promise<string | null>;
  /**
   * Stores the value. With a TTL (ms, finite, in (0, 10^15], fractions rounded up) the key lives while
   * now ≤ now₀ + ttl; without one (`null`/`undefined`) it is persistent, even if it had a TTL.
   * An invalid TTL rejects with `OperationFailed`; an ill-formed key or value with `SerializationError`.
   */
  set(key: string, value: string, ttl?: Ttl): Promise<void>;
  /** Removes the key; deleting a missing key resolves. */
  delete(key: string): Promise<void>;
  /** Whether the key is live (present and not expired). */
  exists(key: string): Promise<boolean>;
  /**
   * Gives a live key the deadline now + ttl (extends or shortens it; a persistent key gets one). On a
   * missing or expired key it resolves and creates or revives nothing. The TTL is required.
   */
  expire(key: string, ttl: number): Promise<void>;
  /**
   * Remaining whole milliseconds of a live key with a deadline (`0` at the exact deadline);
   * `null` for a persistent key and for a missing or expired one (`exists` tells them apart).
   */
  ttl(key: string): Promise<number | null>;
  /** Removes every key of this storage (its namespace) and nothing else. */
  clear(): Promise<void>;
  /** The values position by position: same length and order, `null` for missing or expired keys. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /**
   * Stores every item with the same TTL (or none); for a duplicated key the last item wins. All or
   * nothing to concurrent readers; one bad argument rejects the whole call before anything is written.
   */
  mset(items: readonly Entry[], ttl?: Ttl): Promise<void>;
  /** Removes every listed key; missing keys are ignored. */
  mdel(keys: readonly string[]): Promise<void>;
  /**
   * Adds 1 atomically and resolves to the new value: a missing key counts from 0 and becomes persistent;
   * a live key keeps its TTL. The value must be a canonical signed 64-bit decimal (`SerializationError`
   * otherwise); leaving the 64-bit range rejects with `OperationFailed`.
   */
  incr(key: string): Promise<number>;
  /** Subtracts 1, with the same rules as {@link SaStorage.incr}. */
  decr(key: string): Promise<number>;
  /**
   * The live keys matching a Redis `KEYS` glob (`*`, `?`, `[a-z]`, `[^a]`, `\x`), applied to UTF-8
   * bytes, anchored and case-sensitive; each once, as the logical key (without any prefix), in any order.
   */
  keys(pattern: string): Promise<string[]>;
}

/** The method names of the contract, in the order the spec lists them. */
export const SA_STORAGE_METHODS = [
  'get',
  'set',
  'delete',
  'exists',
  'expire',
  'ttl',
  'clear',
  'mget',
  'mset',
  'mdel',
  'incr',
  'decr',
  'keys',
] as const satisfies readonly (keyof SaStorage)[];

/** The name of one of the thirteen contract methods. */
export type SaStorageMethod = (typeof SA_STORAGE_METHODS)[number];

/**
 * Base class with the trait's six provided methods built on the seven required ones.
 * The defaults validate every argument first and keep the TTL on incr/decr, but they
 * cannot be atomic (incr is read-modify-write, mset is a series of sets) and `keys`
 * returns `[]` as the Rust trait's default does. Override them in a real backend.
 */
export abstract class SaStorageBase implements SaStorage {
  abstract get(key: string): Promise<string | null>;
  abstract set(key: string, value: string, ttl?: Ttl): Promise<void>;
  abstract delete(key: string): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
  abstract expire(key: string, ttl: number): Promise<void>;
  abstract ttl(key: string): Promise<number | null>;
  abstract clear(): Promise<void>;

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    const values: (string | null)[] = [];
    for (const key of keys) values.push(await this.get(key));
    return values;
  }

  async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    const ttlMs = normalizeOptionalTtl(ttl);
    for (const [key, value] of items) await this.set(key, value, ttlMs);
  }

  async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    for (const key of keys) await this.delete(key);
  }

  async incr(key: string): Promise<number> {
    return this.addToCounter(key, 1);
  }

  async decr(key: string): Promise<number> {
    return this.addToCounter(key, -1);
  }

  /** The trait's default: no listing. Backends that can list keys override this. */
  async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    return [];
  }

  /** Read-modify-write counter step that keeps the remaining TTL (not atomic). */
  private async addToCounter(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const stored = await this.get(key);
    const step = stepCounter(stored, delta, key);
    const remaining = stored === null ? null : await this.ttl(key);
    // A key at its exact deadline has 0 ms left but is still live; 1 ms is the closest TTL `set` accepts.
    await this.set(key, step.stored, remaining === 0 ? 1 : remaining);
    return step.result;
  }
}
