/**
 * Step 2 of docs/writing-a-backend.md: the first try, now reading the clock the kit passes
 * in `ctx.clock` instead of `Date.now()`. Still no validation, counters on doubles, keys() a regex.
 * (Only the lines marked "step 2" changed.)
 */
import type { Clock, SaStorage } from 'sa-storage-kit';
import type { FactoryContext } from 'sa-storage-kit/conformance';

interface Entry {
  value: string;
  expiresAt: number | null;
}

export class MapStorage implements SaStorage {
  readonly #entries = new Map<string, Entry>();

  // step 2: the time source is injected; the kit's virtual clock moves it exactly, without sleeping.
  constructor(private readonly clock: Clock) {}

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt != null && entry.expiresAt < this.clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttl?: number | null): Promise<void> {
    this.#entries.set(key, { value, expiresAt: ttl ? this.clock.now() + ttl : null });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async exists(key: string): Promise<boolean> {
    return this.#live(key) !== undefined;
  }

  async expire(key: string, ttl: number): Promise<void> {
    const entry = this.#live(key);
    if (entry) entry.expiresAt = this.clock.now() + ttl;
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.#live(key);
    return entry?.expiresAt != null ? entry.expiresAt - this.clock.now() : null;
  }

  async clear(): Promise<void> {
    this.#entries.clear();
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  async mset(items: readonly (readonly [string, string])[], ttl?: number | null): Promise<void> {
    for (const [key, value] of items) await this.set(key, value, ttl);
  }

  async mdel(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
  }

  async incr(key: string): Promise<number> {
    const next = Number((await this.get(key)) ?? 0) + 1;
    await this.set(key, String(next));
    return next;
  }

  async decr(key: string): Promise<number> {
    const next = Number((await this.get(key)) ?? 0) - 1;
    await this.set(key, String(next));
    return next;
  }

  async keys(pattern: string): Promise<string[]> {
    const regex = new RegExp(`^${pattern.replaceAll('*', '.*').replaceAll('?', '.')}$`);
    return [...this.#entries.keys()].filter((key) => this.#live(key) && regex.test(key));
  }
}

/** The factory the kit calls for every fresh storage it needs. */
export default (ctx: FactoryContext) => new MapStorage(ctx.clock); // step 2
