/**
 * A first try at a SaStorage backend, as a newcomer might write it: a Map of entries with
 * deadlines. It reads the system clock and has no validation. docs/writing-a-backend.md
 * checks it with the kit and fixes it step by step.
 */
import type { SaStorage } from 'sa-storage-kit';

interface Entry {
  value: string;
  expiresAt: number | null;
}

export class MapStorage implements SaStorage {
  readonly #entries = new Map<string, Entry>();

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt != null && entry.expiresAt < Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttl?: number | null): Promise<void> {
    this.#entries.set(key, { value, expiresAt: ttl ? Date.now() + ttl : null });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async exists(key: string): Promise<boolean> {
    return this.#live(key) !== undefined;
  }

  async expire(key: string, ttl: number): Promise<void> {
    const entry = this.#live(key);
    if (entry) entry.expiresAt = Date.now() + ttl;
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.#live(key);
    return entry?.expiresAt != null ? entry.expiresAt - Date.now() : null;
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
export default () => new MapStorage();
