/** Defects in time and TTL handling (TTL-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import {
  assertWellFormedString,
  normalizeRequiredTtl,
  StorageError,
  stepCounter,
  type Ttl,
} from '../contract/index.js';
import type { Defect } from './defect.js';
import { type SharedEntry, SharedMapStorage } from './shared-map-storage.js';

/** `>=` instead of `>`: the key is gone AT its deadline. */
class ExpiryCheckInclusive extends SharedMapStorage {
  protected override isExpired(entry: SharedEntry, now: number): boolean {
    return entry.deadline !== null && now >= entry.deadline;
  }
}

class TtlGivenInSeconds extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    return super.set(key, value, typeof ttl === 'number' ? ttl * 1000 : ttl);
  }
}

/** incr reads the raw entry, skipping the expiry test. */
class IncrResumesExpired extends SharedMapStorage {
  protected override async step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const entry = this.entries.get(this.fullKey(key));
    const next = stepCounter(entry?.value ?? null, delta, key);
    if (entry === undefined) this.write(key, next.stored, null);
    else entry.value = next.stored;
    return next.result;
  }
}

/** incr updates the stored entry in place, even an expired one, so it keeps its past deadline. */
class IncrExpiredKeepsDeadline extends SharedMapStorage {
  protected override async step(key: string, delta: 1 | -1): Promise<number> {
    assertWellFormedString(key, 'key');
    const stored = this.entries.get(this.fullKey(key));
    const next = stepCounter(this.live(key)?.value ?? null, delta, key);
    if (stored === undefined) this.write(key, next.stored, null);
    else stored.value = next.stored;
    return next.result;
  }
}

/** Reads do not test deadlines: expired entries only go when a once-a-second sweep removes them. */
class ExpiryOnlyBySweep extends SharedMapStorage {
  readonly #sweep = setInterval(() => {
    const now = this.clock.now();
    for (const fullKey of this.ownedKeys()) {
      const entry = this.entries.get(fullKey) as SharedEntry;
      if (entry.deadline !== null && now > entry.deadline) this.entries.delete(fullKey);
    }
  }, 1000).unref();
  protected override isExpired(): boolean {
    return false;
  }
  override async close(): Promise<void> {
    clearInterval(this.#sweep);
    return super.close();
  }
}

/** expire rounds a fractional TTL down (set rounds it up correctly). */
class ExpireFractionalRoundedDown extends MemoryStorage {
  override async expire(key: string, ttl: number): Promise<void> {
    return super.expire(key, typeof ttl === 'number' && Number.isFinite(ttl) ? Math.floor(ttl) : ttl);
  }
}

/** set without a TTL behaves like SET … KEEPTTL. */
class SetKeepsOldTtl extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    if (ttl === null || ttl === undefined) {
      const remaining = await this.ttl(key);
      if (remaining !== null) return super.set(key, value, Math.max(remaining, 1));
    }
    return super.set(key, value, ttl);
  }
}

/** ttl passes Redis PTTL's -1 (persistent) and -2 (missing) through. */
class TtlRawRedisCodes extends MemoryStorage {
  override async ttl(key: string): Promise<number | null> {
    const remaining = await super.ttl(key);
    if (remaining !== null) return remaining;
    return (await this.exists(key)) ? -1 : -2;
  }
}

class ExpireAddsToDeadline extends MemoryStorage {
  override async expire(key: string, ttl: number): Promise<void> {
    const remaining = await this.ttl(key);
    return super.expire(key, remaining === null || typeof ttl !== 'number' ? ttl : remaining + ttl);
  }
}

/** expire is an upsert: a missing key is created with an empty value. */
class ExpireCreatesMissing extends MemoryStorage {
  override async expire(key: string, ttl: number): Promise<void> {
    if (!(await this.exists(key))) return this.set(key, '', ttl);
    return super.expire(key, ttl);
  }
}

/** `if (ttl)`: 0 and NaN are falsy, so they mean "no TTL" instead of being refused. */
class ZeroTtlPersistent extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    return super.set(key, value, ttl ? ttl : undefined);
  }
}

/** expire(k, null) is taken as PERSIST. */
class ExpireNullPersists extends MemoryStorage {
  override async expire(key: string, ttl: number): Promise<void> {
    if (ttl === null || ttl === undefined) {
      const value = await this.get(key);
      if (value !== null) await this.set(key, value);
      return;
    }
    return super.expire(key, ttl);
  }
}

class FractionalTtlRoundedDown extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    return super.set(key, value, typeof ttl === 'number' && Number.isFinite(ttl) ? Math.floor(ttl) : ttl);
  }
}

/** Expiry scheduled with setTimeout, whose delay is a signed 32-bit integer. */
const MAX_TIMER_MS = 2 ** 31 - 1;
class TtlCappedAtInt32 extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    if (typeof ttl === 'number' && ttl > MAX_TIMER_MS) {
      throw new StorageError('OperationFailed', `ttl ${ttl} exceeds the timer limit of ${MAX_TIMER_MS} ms`);
    }
    return super.set(key, value, ttl);
  }
  override async expire(key: string, ttl: number): Promise<void> {
    if (normalizeRequiredTtl(ttl) > MAX_TIMER_MS) {
      throw new StorageError('OperationFailed', `ttl ${ttl} exceeds the timer limit of ${MAX_TIMER_MS} ms`);
    }
    return super.expire(key, ttl);
  }
}

export const ttlDefects: readonly Defect[] = [
  {
    id: 'expiry-check-inclusive',
    method: 'get',
    description: 'the expiry test is `now >= deadline`, so a key disappears at its deadline instead of 1 ms after it.',
    targets: ['TTL-01'],
    create: (ctx) => new ExpiryCheckInclusive(ctx),
  },
  {
    id: 'ttl-given-in-seconds',
    method: 'set',
    description:
      'set passes the millisecond TTL on as seconds (EX instead of PX), so keys live a thousand times too long.',
    targets: ['TTL-01'],
    create: (ctx) => new TtlGivenInSeconds({ clock: ctx.clock }),
  },
  {
    id: 'incr-resumes-expired-counter',
    method: 'incr',
    description:
      'incr reads the stored entry without the expiry test, so an expired counter continues from its old value instead of starting from 0.',
    targets: ['TTL-02'],
    create: (ctx) => new IncrResumesExpired(ctx),
  },
  {
    id: 'incr-expired-keeps-deadline',
    method: 'incr',
    description:
      'incr of an expired counter restarts from 0 but updates the old entry in place, keeping its past deadline, so the new value is lost at once.',
    targets: ['TTL-02', 'MODEL-01'],
    create: (ctx) => new IncrExpiredKeepsDeadline(ctx),
  },
  {
    id: 'expiry-only-by-sweep',
    method: 'get',
    description:
      'reads never test the deadline, so an expired key stays visible until a once-a-second sweep removes it.',
    targets: ['TTL-01'],
    clock: 'real',
    create: (ctx) => new ExpiryOnlyBySweep(ctx),
  },
  {
    id: 'expire-fractional-ttl-rounded-down',
    method: 'expire',
    description:
      'expire rounds a fractional TTL down instead of up, so expire(k, 0.5) is refused and expire(k, 2.5) gives 2 ms.',
    // TTL-09 checks fractional TTLs through set, expire and mset; the model uses 0.5 and 2.5 with expire.
    targets: ['TTL-09', 'MODEL-01'],
    create: (ctx) => new ExpireFractionalRoundedDown({ clock: ctx.clock }),
  },
  {
    id: 'set-keeps-old-ttl',
    method: 'set',
    description:
      'set without a TTL keeps the deadline the key already had (SET … KEEPTTL) instead of making it persistent.',
    targets: ['TTL-03'],
    create: (ctx) => new SetKeepsOldTtl({ clock: ctx.clock }),
  },
  {
    id: 'ttl-raw-redis-codes',
    method: 'ttl',
    description: 'ttl passes PTTL’s -1 (persistent) and -2 (missing) through instead of resolving to null.',
    targets: ['TTL-04'],
    create: (ctx) => new TtlRawRedisCodes({ clock: ctx.clock }),
  },
  {
    id: 'expire-adds-to-deadline',
    method: 'expire',
    description:
      'expire adds the TTL to the remaining time instead of setting the deadline to now + ttl, so it can never shorten a TTL.',
    targets: ['TTL-05'],
    create: (ctx) => new ExpireAddsToDeadline({ clock: ctx.clock }),
  },
  {
    id: 'expire-creates-missing-key',
    method: 'expire',
    description: 'expire on a missing key creates it with an empty value instead of doing nothing.',
    targets: ['TTL-06'],
    create: (ctx) => new ExpireCreatesMissing({ clock: ctx.clock }),
  },
  {
    id: 'zero-ttl-means-persistent',
    method: 'set',
    description:
      'set tests the TTL for truthiness, so a TTL of 0 or NaN writes a persistent key instead of being refused.',
    targets: ['TTL-07'],
    create: (ctx) => new ZeroTtlPersistent({ clock: ctx.clock }),
  },
  {
    id: 'expire-null-persists',
    method: 'expire',
    description: 'expire(k, null) removes the key’s TTL (like PERSIST) instead of rejecting with OperationFailed.',
    targets: ['TTL-08'],
    create: (ctx) => new ExpireNullPersists({ clock: ctx.clock }),
  },
  {
    id: 'fractional-ttl-rounded-down',
    method: 'set',
    description:
      'set rounds a fractional TTL down instead of up, so 0.2 ms becomes 0 and is refused and 1499.5 ms loses a millisecond.',
    targets: ['TTL-09'],
    create: (ctx) => new FractionalTtlRoundedDown({ clock: ctx.clock }),
  },
  {
    id: 'ttl-capped-at-int32',
    method: ['set', 'expire'],
    description:
      'set and expire refuse TTLs above 2^31 − 1 ms (a setTimeout limit) although the contract allows up to 10^15 ms.',
    targets: ['TTL-10'],
    create: (ctx) => new TtlCappedAtInt32({ clock: ctx.clock }),
  },
];
