/**
 * The deviations of sa-token-rust (v0.1.11–0.1.18) from its own documentation, as listed at the
 * end of CONTRACT.md, each emulated in memory so the kit can show which rule reports it.
 * (`ttl` not telling a missing key from a persistent one is kept by the contract: not a defect.)
 */

import { MemoryStorage } from '../../implementations/memory/index.js';
import {
  assertEntryList,
  assertKeyList,
  assertWellFormedString,
  compilePattern,
  type Entry,
  normalizeOptionalTtl,
  normalizeRequiredTtl,
  SaStorageBase,
  StorageError,
  stepCounter,
  type Ttl,
} from '../contract/index.js';
import type { FactoryContext } from '../suite/types.js';
import type { Defect } from './defect.js';
import { SharedMapStorage } from './shared-map-storage.js';

// ---------------------------------------------------------------------------------------------
// sa-token-storage-memory

/** `Regex::new(&pattern.replace("*", ".*"))` then `is_match`: unanchored, nothing escaped. */
class RustMemoryKeysRegex extends MemoryStorage {
  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    let regex: RegExp;
    try {
      regex = new RegExp(pattern.replaceAll('*', '.*'));
    } catch (error) {
      throw new StorageError('OperationFailed', `Invalid pattern: ${(error as Error).message}`, { cause: error });
    }
    return (await super.keys('*')).filter((key) => regex.test(key));
  }
}

/** `data.get_mut(key)` then a new deadline, without the expiry test. */
class RustMemoryExpireRevives extends SharedMapStorage {
  override async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    const ttlMs = normalizeRequiredTtl(ttl);
    const entry = this.entries.get(this.fullKey(key));
    if (entry !== undefined) entry.deadline = this.clock.now() + ttlMs;
  }
}

/** exists looks at the map only: an entry nobody reclaimed yet is reported present. */
class RustMemoryExistsSeesExpired extends SharedMapStorage {
  override async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    return this.entries.has(this.fullKey(key));
  }
}

/** keys walks the map without the expiry test. */
class RustMemoryKeysListsExpired extends SharedMapStorage {
  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = compilePattern(pattern);
    return this.ownedKeys()
      .map((fullKey) => fullKey.slice(this.prefix.length))
      .filter((key) => matches(key));
  }
}

/** `if expire_at > now { remaining } else { Some(0) }` on an entry not reclaimed yet. */
class RustMemoryTtlExpiredZero extends SharedMapStorage {
  override async ttl(key: string): Promise<number | null> {
    assertWellFormedString(key, 'key');
    const entry = this.entries.get(this.fullKey(key));
    if (entry === undefined || entry.deadline === null) return null;
    return Math.max(0, Math.ceil(entry.deadline - this.clock.now()));
  }
}

// ---------------------------------------------------------------------------------------------
// The SaStorage trait's provided methods (incr/decr) over a backend that only overrides the rest

/** The seven required methods plus mget/mset/mdel/keys from MemoryStorage; incr/decr stay the trait's. */
class TraitDefaultsOverMemory extends SaStorageBase {
  protected readonly inner: MemoryStorage;
  constructor(ctx: FactoryContext) {
    super();
    this.inner = new MemoryStorage({ clock: ctx.clock });
  }
  get(key: string) {
    return this.inner.get(key);
  }
  set(key: string, value: string, ttl?: Ttl) {
    return this.inner.set(key, value, ttl);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  exists(key: string) {
    return this.inner.exists(key);
  }
  expire(key: string, ttl: number) {
    return this.inner.expire(key, ttl);
  }
  ttl(key: string) {
    return this.inner.ttl(key);
  }
  clear() {
    return this.inner.clear();
  }
  override mget(keys: readonly string[]) {
    return this.inner.mget(keys);
  }
  override mset(items: readonly Entry[], ttl?: Ttl) {
    return this.inner.mset(items, ttl);
  }
  override mdel(keys: readonly string[]) {
    return this.inner.mdel(keys);
  }
  override keys(pattern: string) {
    return this.inner.keys(pattern);
  }
  close() {
    return this.inner.close();
  }
}

/** The trait's incr: `self.set(key, &value.to_string(), None)`, no TTL. */
class RustDefaultIncrDropsTtl extends TraitDefaultsOverMemory {
  override async incr(key: string): Promise<number> {
    return this.#step(key, 1);
  }
  override async decr(key: string): Promise<number> {
    return this.#step(key, -1);
  }
  async #step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const step = stepCounter(await this.get(key), delta, key);
    await this.set(key, step.stored);
    return step.result;
  }
}

/** Rust's `str::parse::<i64>()`: optional sign (including "+"), ASCII digits, leading zeros allowed. */
function parseRustI64(text: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(text)) return null;
  const value = BigInt(text);
  return value < -(2n ** 63n) || value >= 2n ** 63n ? null : value;
}

/** The trait's incr: `.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)` (TTL kept here, to isolate the parse). */
class RustDefaultIncrNonIntegerAsZero extends TraitDefaultsOverMemory {
  override async incr(key: string): Promise<number> {
    return this.#step(key, 1);
  }
  override async decr(key: string): Promise<number> {
    return this.#step(key, -1);
  }
  async #step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const stored = await this.get(key);
    const current = (stored === null ? null : parseRustI64(stored)) ?? 0n;
    const step = stepCounter(current.toString(), delta, key);
    const remaining = stored === null ? null : await this.ttl(key);
    await this.set(key, step.stored, remaining === 0 ? 1 : remaining);
    return step.result;
  }
}

// ---------------------------------------------------------------------------------------------
// sa-token-storage-redis, emulated in memory

/** `ttl.as_secs()`: whole seconds, and SETEX/EXPIRE with 0 is an error. */
function wholeSeconds(ttl: unknown): number | null {
  const ms = normalizeOptionalTtl(ttl);
  if (ms === null) return null;
  const truncated = Math.floor(ms / 1000) * 1000;
  if (truncated === 0) throw new StorageError('OperationFailed', "ERR invalid expire time in 'setex' command");
  return truncated;
}

class RustRedisTtlWholeSeconds extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    assertWellFormedString(key, 'key');
    assertWellFormedString(value, 'value');
    return super.set(key, value, wholeSeconds(ttl));
  }
  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    return super.mset(items, wholeSeconds(ttl));
  }
  override async expire(key: string, ttl: number): Promise<void> {
    assertWellFormedString(key, 'key');
    return super.expire(key, wholeSeconds(normalizeRequiredTtl(ttl)) as number);
  }
}

/** TTL (seconds, rounded) instead of PTTL, turned back into milliseconds. */
class RustRedisTtlReportsSeconds extends MemoryStorage {
  override async ttl(key: string): Promise<number | null> {
    const remaining = await super.ttl(key);
    return remaining === null ? null : Math.round(remaining / 1000) * 1000;
  }
}

/** clear is `KEYS <prefix>*` then DEL, the prefix not escaped. */
class RustRedisClearUnescapedPrefix extends SharedMapStorage {
  override async clear(): Promise<void> {
    const matches = compilePattern(`${this.prefix}*`);
    for (const fullKey of [...this.entries.keys()]) if (matches(fullKey)) this.entries.delete(fullKey);
  }
}

/** mset is a pipeline of SET commands: other clients' commands run between them. */
class RustRedisMsetPipeline extends MemoryStorage {
  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    const ttlMs = normalizeOptionalTtl(ttl);
    for (const [key, value] of items) {
      await super.set(key, value, ttlMs);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

const emptyCommand = (command: string) =>
  new StorageError('OperationFailed', `ERR wrong number of arguments for '${command}' command`);

class RustRedisEmptyMgetFails extends MemoryStorage {
  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    if (keys.length === 0) throw emptyCommand('mget');
    return super.mget(keys);
  }
}

class RustRedisEmptyMsetFails extends MemoryStorage {
  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    assertEntryList(items);
    if (items.length === 0) throw emptyCommand('mset');
    return super.mset(items, ttl);
  }
}

class RustRedisEmptyMdelFails extends MemoryStorage {
  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    if (keys.length === 0) throw emptyCommand('del');
    return super.mdel(keys);
  }
}

/** A one-key MGET's nil reply was decoded as an empty Vec. */
class RustRedisMgetSingleMissingEmpty extends MemoryStorage {
  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    const values = await super.mget(keys);
    return values.length === 1 && values[0] === null ? [] : values;
  }
}

const origin = 'sa-token-rust' as const;

export const saTokenRustDefects: readonly Defect[] = [
  {
    id: 'rust-memory-keys-regex',
    method: 'keys',
    description:
      'memory keys turns the glob into a RegExp by replacing `*` with `.*`, unanchored and unescaped, so "a" lists every key containing an "a".',
    targets: ['PAT-01'],
    origin,
    create: (ctx) => new RustMemoryKeysRegex({ clock: ctx.clock }),
  },
  {
    id: 'rust-memory-expire-revives',
    method: 'expire',
    description:
      'memory expire sets a new deadline on an entry without checking whether it has already expired, reviving it.',
    targets: ['TTL-06'],
    origin,
    create: (ctx) => new RustMemoryExpireRevives(ctx),
  },
  {
    id: 'rust-memory-exists-sees-expired',
    method: 'exists',
    description:
      'memory exists only checks that the entry is in the map, so an expired entry nobody has reclaimed yet is reported present.',
    targets: ['TTL-02', 'MODEL-01'],
    origin,
    create: (ctx) => new RustMemoryExistsSeesExpired(ctx),
  },
  {
    id: 'rust-memory-keys-lists-expired',
    method: 'keys',
    description:
      'memory keys walks the map without the expiry test, so expired entries nobody has reclaimed yet are listed.',
    targets: ['TTL-02', 'PAT-06'],
    origin,
    create: (ctx) => new RustMemoryKeysListsExpired(ctx),
  },
  {
    id: 'rust-memory-ttl-expired-zero',
    method: 'ttl',
    description: 'memory ttl of an expired entry nobody has reclaimed yet resolves to 0 instead of null.',
    targets: ['TTL-02', 'MODEL-01'],
    origin,
    create: (ctx) => new RustMemoryTtlExpiredZero(ctx),
  },
  {
    id: 'rust-default-incr-drops-ttl',
    method: 'incr',
    description:
      'the trait’s default incr writes the new value back with set(key, value, None), dropping the key’s TTL.',
    targets: ['CTR-03'],
    origin,
    create: (ctx) => new RustDefaultIncrDropsTtl(ctx),
  },
  {
    id: 'rust-default-incr-non-integer-as-zero',
    method: 'incr',
    description:
      'the trait’s default incr parses the value with `parse::<i64>().ok().unwrap_or(0)`, so a non-integer counts as 0 instead of being refused.',
    targets: ['CTR-04'],
    origin,
    create: (ctx) => new RustDefaultIncrNonIntegerAsZero(ctx),
  },
  {
    id: 'rust-default-incr-not-atomic',
    method: ['incr', 'decr'],
    description: 'the trait’s default incr and decr are a get followed by a set, so concurrent calls lose updates.',
    targets: ['CONC-01', 'CONC-02'],
    origin,
    create: (ctx) => new TraitDefaultsOverMemory(ctx),
  },
  {
    id: 'rust-redis-ttl-whole-seconds',
    method: ['set', 'mset', 'expire'],
    description:
      'Redis set, mset and expire pass `ttl.as_secs()`, truncating TTLs to whole seconds, so a sub-second TTL fails with "invalid expire time".',
    targets: ['TTL-09'],
    origin,
    create: (ctx) => new RustRedisTtlWholeSeconds({ clock: ctx.clock }),
  },
  {
    id: 'rust-redis-ttl-reports-seconds',
    method: 'ttl',
    description: 'Redis ttl uses TTL instead of PTTL, so the remaining time is rounded to whole seconds.',
    targets: ['TTL-04'],
    origin,
    create: (ctx) => new RustRedisTtlReportsSeconds({ clock: ctx.clock }),
  },
  {
    id: 'rust-redis-clear-unescaped-prefix',
    method: 'clear',
    description:
      'Redis clear deletes `KEYS <prefix>*` with the prefix unescaped, so a namespace such as "a*" also clears namespace "ab".',
    targets: ['NS-03'],
    origin,
    create: (ctx) => new RustRedisClearUnescapedPrefix(ctx),
  },
  {
    id: 'rust-redis-mset-pipeline',
    method: 'mset',
    description: 'Redis mset sends one SET per item in a plain pipeline, so a concurrent reader can see part of it.',
    targets: ['CONC-03'],
    origin,
    create: (ctx) => new RustRedisMsetPipeline({ clock: ctx.clock }),
  },
  {
    id: 'rust-redis-empty-mget-fails',
    method: 'mget',
    description:
      'Redis mget([]) sends MGET without keys and rejects with "wrong number of arguments" instead of resolving to [].',
    targets: ['BULK-02'],
    origin,
    create: (ctx) => new RustRedisEmptyMgetFails({ clock: ctx.clock }),
  },
  {
    id: 'rust-redis-empty-mset-fails',
    method: 'mset',
    description:
      'Redis mset([]) sends an empty command and rejects with "wrong number of arguments" instead of doing nothing.',
    targets: ['BULK-02'],
    origin,
    create: (ctx) => new RustRedisEmptyMsetFails({ clock: ctx.clock }),
  },
  {
    id: 'rust-redis-empty-mdel-fails',
    method: 'mdel',
    description:
      'Redis mdel([]) sends DEL without keys and rejects with "wrong number of arguments" instead of doing nothing.',
    targets: ['BULK-02'],
    origin,
    create: (ctx) => new RustRedisEmptyMdelFails({ clock: ctx.clock }),
  },
  {
    id: 'rust-redis-mget-single-missing-empty',
    method: 'mget',
    description:
      'old Redis mget of a single missing key decoded the nil reply as an empty list, resolving to [] instead of [null].',
    targets: ['BULK-01'],
    origin,
    create: (ctx) => new RustRedisMgetSingleMissingEmpty({ clock: ctx.clock }),
  },
];
