/**
 * MemoryStorage: the embedded default backend. Exact contract semantics in one process.
 *
 * Entries live in a Map (O(1) get/set/delete). Expired entries are invisible at once and
 * reclaimed two ways: on access, and by a sweep that pops an expiry min-heap on a timer
 * that never keeps the process alive, so keys nobody reads again still free their memory.
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
  systemClock,
  type Ttl,
} from '../../conformance/contract/index.js';
import { ExpiryHeap } from './expiry-heap.js';

/** Options of {@link MemoryStorage}. */
export interface MemoryStorageOptions {
  /** Time source in milliseconds; defaults to `Date.now`. The conformance suite injects a virtual clock. */
  clock?: Clock;
  /** Period of the background sweep in ms (default 1000); 0 disables it (then only access and `cleanupExpired()` reclaim). */
  sweepIntervalMs?: number;
  /**
   * Most expired entries one sweep tick removes, so a tick never stalls the event loop (default 20000).
   * A tick that reaches it leaves the rest to another tick on the next turn of the event loop, so a
   * backlog (a million keys expiring together) is reclaimed in bounded slices, not one per period.
   */
  sweepBatchSize?: number;
}

/** Canonical decimals of at most 15 digits: exact as doubles, and ±1 stays far inside 64 bits. */
const SMALL_CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/;

interface StoredValue {
  value: string;
  /** Absolute deadline in ms; live while now <= deadline. null: persistent. */
  deadline: number | null;
}

/**
 * The embedded SaStorage backend: a `Map` with deadlines, an expiry heap swept on a timer that never
 * keeps the process alive, and an injectable clock. Exact contract semantics in one process:
 * atomic, 64-bit exact counters; all-or-nothing `mset`; the Redis glob for `keys`.
 */
export class MemoryStorage extends SaStorageBase {
  readonly #entries = new Map<string, StoredValue>();
  readonly #expiries = new ExpiryHeap();
  readonly #clock: Clock;
  readonly #sweepIntervalMs: number;
  readonly #sweepBatchSize: number;
  #entriesWithDeadline = 0;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  /** A follow-up tick scheduled because the last one hit the batch limit. */
  #catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: MemoryStorageOptions = {}) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    this.#sweepBatchSize = options.sweepBatchSize ?? 20_000;
  }

  /** Number of entries held, expired-but-unreclaimed ones included (for monitoring and tests). */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    return this.#live(key, this.#clock.now())?.value ?? null;
  }

  async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    assertWellFormedString(key, 'key');
    assertWellFormedString(value, 'value');
    const ttlMs = normalizeOptionalTtl(ttl);
    this.#write(key, value, ttlMs === null ? null : this.#clock.now() + ttlMs);
  }

  async delete(key: string): Promise<void> {
    assertWellFormedString(key, 'key');
    this.#remove(key);
  }

  async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    return this.#live(key, this.#clock.now()) !== undefined;
  }

  async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    const ttlMs = normalizeRequiredTtl(ttl);
    const now = this.#clock.now();
    const entry = this.#live(key, now);
    if (entry === undefined) return; // missing or expired: nothing to revive
    this.#setDeadline(key, entry, now + ttlMs);
  }

  async ttl(key: string): Promise<number | null> {
    assertWellFormedString(key, 'key');
    const now = this.#clock.now();
    const entry = this.#live(key, now);
    if (entry === undefined || entry.deadline === null) return null;
    return Math.ceil(entry.deadline - now);
  }

  async clear(): Promise<void> {
    this.#entries.clear();
    this.#expiries.clear();
    this.#entriesWithDeadline = 0;
  }

  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    const now = this.#clock.now();
    return keys.map((key) => this.#live(key, now)?.value ?? null);
  }

  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    const ttlMs = normalizeOptionalTtl(ttl);
    const deadline = ttlMs === null ? null : this.#clock.now() + ttlMs;
    // Synchronous loop: no reader can interleave, so the batch is all-or-nothing.
    for (const [key, value] of items) this.#write(key, value, deadline);
  }

  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    for (const key of keys) this.#remove(key);
  }

  override async incr(key: string): Promise<number> {
    return this.#step(key, 1);
  }

  override async decr(key: string): Promise<number> {
    return this.#step(key, -1);
  }

  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = compilePattern(pattern);
    const now = this.#clock.now();
    const result: string[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.deadline !== null && now > entry.deadline) {
        this.#remove(key);
      } else if (matches(key)) {
        result.push(key);
      }
    }
    return result;
  }

  /** Removes every expired entry now; resolves to how many it removed. */
  async cleanupExpired(): Promise<number> {
    return this.#sweep(Number.POSITIVE_INFINITY);
  }

  /** Stops the background sweep. The data stays readable; expired keys are still reclaimed on access. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopSweeper();
  }

  /** The entry if present and live; an expired entry is removed on the way. */
  #live(key: string, now: number): StoredValue | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.deadline !== null && now > entry.deadline) {
      this.#remove(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: string, deadline: number | null): void {
    const existing = this.#entries.get(key);
    if (existing === undefined) {
      const entry: StoredValue = { value, deadline: null };
      this.#entries.set(key, entry);
      this.#setDeadline(key, entry, deadline);
    } else {
      existing.value = value;
      this.#setDeadline(key, existing, deadline);
    }
  }

  /**
   * Invariant: an entry with a deadline has a heap item due no later than that deadline. So a
   * deadline moved later (every `set` with a TTL on a live key) needs no new item: the old one
   * comes due first and the sweep re-queues the entry at its current deadline.
   */
  #setDeadline(key: string, entry: StoredValue, deadline: number | null): void {
    const previous = entry.deadline;
    if (previous === null && deadline !== null) this.#entriesWithDeadline++;
    if (previous !== null && deadline === null) this.#entriesWithDeadline--;
    entry.deadline = deadline;
    if (deadline === null || (previous !== null && deadline >= previous)) return;
    this.#expiries.push(deadline, key);
    // The heap keeps stale (overwritten) deadlines until they pass; rebuild it when they dominate.
    if (this.#expiries.size > 2 * this.#entriesWithDeadline + 1024) this.#rebuildExpiries();
    this.#startSweeper();
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    if (entry.deadline !== null) this.#entriesWithDeadline--;
    this.#entries.delete(key);
  }

  async #step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const entry = this.#live(key, this.#clock.now());
    if (entry === undefined) {
      this.#write(key, delta === 1 ? '1' : '-1', null); // a missing key counts from 0; the new key is persistent
      return delta;
    }
    // Fast path without BigInt: same result as stepCounter for values of at most 15 digits.
    if (SMALL_CANONICAL_INTEGER.test(entry.value)) {
      const next = Number(entry.value) + delta;
      entry.value = String(next); // the TTL is kept
      return next;
    }
    const step = stepCounter(entry.value, delta, key); // larger values exactly, and every error
    entry.value = step.stored;
    return step.result;
  }

  #rebuildExpiries(): void {
    this.#expiries.clear();
    for (const [key, entry] of this.#entries) {
      if (entry.deadline !== null) this.#expiries.push(entry.deadline, key);
    }
  }

  /**
   * Pops due heap items: removes entries that have expired, re-queues entries whose deadline
   * moved later since (see #setDeadline), and drops items of deleted or persistent keys.
   */
  #sweep(limit: number): number {
    const now = this.#clock.now();
    let removed = 0;
    while (removed < limit) {
      const due = this.#expiries.popDue(now);
      if (due === undefined) break;
      const entry = this.#entries.get(due.key);
      if (entry === undefined || entry.deadline === null) continue;
      if (now > entry.deadline) {
        this.#remove(due.key);
        removed++;
      } else {
        this.#expiries.push(entry.deadline, due.key);
      }
    }
    if (this.#expiries.size === 0) this.#stopSweeper();
    return removed;
  }

  #startSweeper(): void {
    if (this.#sweepTimer !== undefined || this.#closed || this.#sweepIntervalMs <= 0) return;
    this.#sweepTimer = setInterval(() => this.#tick(), this.#sweepIntervalMs);
    this.#sweepTimer.unref();
  }

  /** One bounded sweep; if it hit the batch limit, another one on the next turn of the event loop. */
  #tick(): void {
    if (this.#sweep(this.#sweepBatchSize) < this.#sweepBatchSize || this.#catchUpTimer !== undefined) return;
    if (this.#sweepTimer === undefined) return; // stopped (closed, or nothing left to expire)
    this.#catchUpTimer = setTimeout(() => {
      this.#catchUpTimer = undefined;
      this.#tick();
    }, 0);
    this.#catchUpTimer.unref();
  }

  #stopSweeper(): void {
    if (this.#catchUpTimer !== undefined) clearTimeout(this.#catchUpTimer);
    this.#catchUpTimer = undefined;
    if (this.#sweepTimer === undefined) return;
    clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }
}
