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
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface SaStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttl?: Ttl): Promise<void>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  expire(key: string, ttl: number): Promise<void>;
  /** Remaining milliseconds of a live key with a deadline; `null` for persistent, missing or expired keys. */
  ttl(key: string): Promise<number | null>;
  clear(): Promise<void>;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  mset(items: readonly Entry[], ttl?: Ttl): Promise<void>;
  mdel(keys: readonly string[]): Promise<void>;
  incr(key: string): Promise<number>;
  decr(key: string): Promise<number>;
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
