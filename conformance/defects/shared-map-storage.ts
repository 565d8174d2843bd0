/**
 * SharedMapStorage: the helper backend for defects that need a shared key space (namespaces)
 * or direct access to entries that have expired but are not reclaimed yet.
 *
 * Every instance stores its entries in ONE module-level Map under `namespace + key`, the way a
 * prefixed Redis store shares a database. Expiry is lazy: an expired entry stays in the Map,
 * invisible to every method, until `get` meets it (and reclaims it, as MemoryStorage and
 * sa-token-rust's memory store do), a write replaces it, or the storage is cleared or closed.
 *
 * As written here it is conformant (test/defects.test.ts checks it against every contract rule),
 * so when a subclass fails a rule, the subclass's one override is the cause, not this helper.
 */
import {
  assertEntryList,
  assertKeyList,
  assertWellFormedString,
  type Clock,
  compilePattern,
  type Entry,
  normalizeOptionalTtl,
  normalizeRequiredTtl,
  SaStorageBase,
  stepCounter,
  type Ttl,
} from '../contract/index.js';
import type { FactoryContext } from '../suite/types.js';

/** One stored value of a SharedMapStorage. */
export interface SharedEntry {
  value: string;
  /** Absolute deadline in ms (live while now <= deadline); null: persistent. */
  deadline: number | null;
}

/** One key space for every SharedMapStorage, keyed by namespace + logical key. */
const sharedEntries = new Map<string, SharedEntry>();

/**
 * A correct in-process store whose storages share one key space, separated by namespace (like
 * clients of one server): the base most defects override one method of.
 */
export class SharedMapStorage extends SaStorageBase {
  /** The namespace every key of this storage is stored under. */
  readonly prefix: string;
  /** The time source (the suite's `ctx.clock`). */
  protected readonly clock: Clock;
  /** The key space shared by every SharedMapStorage, keyed by full (prefixed) key. */
  protected readonly entries: Map<string, SharedEntry> = sharedEntries;

  constructor(ctx: Pick<FactoryContext, 'clock' | 'namespace'>) {
    super();
    this.prefix = ctx.namespace;
    this.clock = ctx.clock;
  }

  /** The stored key: prefix + logical key. */
  protected fullKey(key: string): string {
    return this.prefix + key;
  }

  /** Past its deadline at `now` (live while now <= deadline). */
  protected isExpired(entry: SharedEntry, now: number): boolean {
    return entry.deadline !== null && now > entry.deadline;
  }

  /** The entry if present and live (an expired one is left in place). */
  protected live(key: string, now = this.clock.now()): SharedEntry | undefined {
    const entry = this.entries.get(this.fullKey(key));
    return entry === undefined || this.isExpired(entry, now) ? undefined : entry;
  }

  /** Does this stored (full) key belong to this storage? Exactly: it starts with the prefix. */
  protected ownsKey(fullKey: string): boolean {
    return fullKey.startsWith(this.prefix);
  }

  /** Full keys of this storage, expired ones included. */
  protected ownedKeys(): string[] {
    return [...this.entries.keys()].filter((fullKey) => this.ownsKey(fullKey));
  }

  /** Stores a value with an absolute deadline (null: persistent). */
  protected write(key: string, value: string, deadline: number | null): void {
    this.entries.set(this.fullKey(key), { value, deadline });
  }

  async get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    const fullKey = this.fullKey(key);
    const entry = this.entries.get(fullKey);
    if (entry === undefined) return null;
    if (this.isExpired(entry, this.clock.now())) {
      this.entries.delete(fullKey); // reclaimed on access
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    assertWellFormedString(key, 'key');
    assertWellFormedString(value, 'value');
    const ttlMs = normalizeOptionalTtl(ttl);
    this.write(key, value, ttlMs === null ? null : this.clock.now() + ttlMs);
  }

  async delete(key: string): Promise<void> {
    assertWellFormedString(key, 'key');
    this.entries.delete(this.fullKey(key));
  }

  async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    return this.live(key) !== undefined;
  }

  async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    const ttlMs = normalizeRequiredTtl(ttl);
    const now = this.clock.now();
    const entry = this.live(key, now);
    if (entry !== undefined) entry.deadline = now + ttlMs;
  }

  async ttl(key: string): Promise<number | null> {
    assertWellFormedString(key, 'key');
    const now = this.clock.now();
    const entry = this.live(key, now);
    return entry === undefined || entry.deadline === null ? null : Math.ceil(entry.deadline - now);
  }

  async clear(): Promise<void> {
    for (const fullKey of this.ownedKeys()) this.entries.delete(fullKey);
  }

  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    const now = this.clock.now();
    return keys.map((key) => this.live(key, now)?.value ?? null);
  }

  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    const ttlMs = normalizeOptionalTtl(ttl);
    const deadline = ttlMs === null ? null : this.clock.now() + ttlMs;
    for (const [key, value] of items) this.write(key, value, deadline);
  }

  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    for (const key of keys) this.entries.delete(this.fullKey(key));
  }

  override async incr(key: string): Promise<number> {
    return this.step(key, 1);
  }

  override async decr(key: string): Promise<number> {
    return this.step(key, -1);
  }

  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = compilePattern(pattern);
    const now = this.clock.now();
    const result: string[] = [];
    for (const fullKey of this.ownedKeys()) {
      const entry = this.entries.get(fullKey) as SharedEntry;
      const key = fullKey.slice(this.prefix.length);
      if (!this.isExpired(entry, now) && matches(key)) result.push(key);
    }
    return result;
  }

  /** Drops this storage's entries from the shared Map (called by the suite when a rule ends). */
  async close(): Promise<void> {
    for (const fullKey of [...this.entries.keys()]) {
      if (fullKey.startsWith(this.prefix)) this.entries.delete(fullKey);
    }
  }

  /** incr/decr in one synchronous step (atomic in one process); the deadline is kept. */
  protected async step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const entry = this.live(key);
    const next = stepCounter(entry?.value ?? null, delta, key);
    if (entry === undefined) this.write(key, next.stored, null);
    else entry.value = next.stored;
    return next.result;
  }
}
