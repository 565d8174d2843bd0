/**
 * Step 3 of docs/writing-a-backend.md: the same Map backend, made conformant with the kit's
 * helpers: argument validation, TTL normalisation, counter arithmetic and the Redis glob
 * matcher each come from `sa-storage-kit` in one call.
 */
import {
  assertEntryList,
  assertKeyList,
  assertWellFormedString,
  type Clock,
  compilePattern,
  normalizeOptionalTtl,
  normalizeRequiredTtl,
  type SaStorage,
  stepCounter,
  type Ttl,
} from 'sa-storage-kit';
import type { FactoryContext } from 'sa-storage-kit/conformance';

interface Entry {
  value: string;
  expiresAt: number | null;
}

export class MapStorage implements SaStorage {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /** The entry if it is live: a key is live while now ≤ deadline, gone once now > deadline. */
  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt != null && this.clock.now() > entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #deadline(ttlMs: number | null): number | null {
    return ttlMs === null ? null : this.clock.now() + ttlMs;
  }

  async get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    assertWellFormedString(key, 'key');
    assertWellFormedString(value, 'value');
    const ttlMs = normalizeOptionalTtl(ttl); // rejects 0, negatives, NaN, > 10^15; rounds fractions up
    this.#entries.set(key, { value, expiresAt: this.#deadline(ttlMs) });
  }

  async delete(key: string): Promise<void> {
    assertWellFormedString(key, 'key');
    this.#entries.delete(key);
  }

  async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    return this.#live(key) !== undefined;
  }

  async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    const ttlMs = normalizeRequiredTtl(ttl);
    const entry = this.#live(key);
    if (entry) entry.expiresAt = this.#deadline(ttlMs);
  }

  async ttl(key: string): Promise<number | null> {
    assertWellFormedString(key, 'key');
    const entry = this.#live(key);
    return entry?.expiresAt != null ? entry.expiresAt - this.clock.now() : null;
  }

  async clear(): Promise<void> {
    this.#entries.clear();
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    return keys.map((key) => this.#live(key)?.value ?? null);
  }

  async mset(items: readonly (readonly [string, string])[], ttl?: Ttl): Promise<void> {
    assertEntryList(items); // every item checked before the first write
    const expiresAt = this.#deadline(normalizeOptionalTtl(ttl));
    // No await between the writes: a concurrent reader sees all of them or none.
    for (const [key, value] of items) this.#entries.set(key, { value, expiresAt });
  }

  async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    for (const key of keys) this.#entries.delete(key);
  }

  async incr(key: string): Promise<number> {
    return this.#step(key, 1);
  }

  async decr(key: string): Promise<number> {
    return this.#step(key, -1);
  }

  /** One synchronous read-modify-write (atomic in one process); the key keeps its deadline. */
  #step(key: string, delta: 1 | -1): number {
    assertWellFormedString(key, 'key');
    const entry = this.#live(key);
    const step = stepCounter(entry?.value ?? null, delta, key); // canonical 64-bit decimal, BigInt, overflow
    this.#entries.set(key, { value: step.stored, expiresAt: entry?.expiresAt ?? null });
    return step.result;
  }

  async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = compilePattern(pattern); // the Redis KEYS glob, on UTF-8 bytes, compiled once per call
    return [...this.#entries.keys()].filter((key) => this.#live(key) !== undefined && matches(key));
  }
}

/** The factory the kit calls for every fresh storage it needs. */
export default (ctx: FactoryContext) => new MapStorage(ctx.clock);
