/** Defects in the failure discipline (FAIL-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, type Entry, type Ttl } from '../contract/index.js';
import type { Defect } from './defect.js';

/** keys uses the pattern as a string before validating it. */
class KeysTypeError extends MemoryStorage {
  override async keys(pattern: string): Promise<string[]> {
    const literalPrefix = pattern.split(/[*?[\\]/)[0] as string; // TypeError for a number
    const listed = await super.keys(pattern);
    return literalPrefix === '' ? listed : listed.filter((key) => key.startsWith(literalPrefix));
  }
}

/** get is a plain (non-async) method that validates before returning the promise. */
class GetThrowsSynchronously extends MemoryStorage {
  override get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    return super.get(key);
  }
}

/** clear fires the deletion and returns nothing. */
class ClearReturnsUndefined extends MemoryStorage {
  override clear(): Promise<void> {
    void super.clear();
    return undefined as unknown as Promise<void>;
  }
}

/** A malformed item is dropped from the write batch, but its acknowledgement is still awaited. */
class MsetHangsOnMalformedItem extends MemoryStorage {
  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    if (Array.isArray(items) && items.some((item) => !Array.isArray(item) || item.length !== 2)) {
      await new Promise<never>(() => {}); // the acknowledgement that never comes
    }
    return super.mset(items, ttl);
  }
}

/** set with a TTL is SET followed by PEXPIRE: the TTL is checked after the value was written. */
class SetThenPexpire extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    await super.set(key, value);
    if (ttl !== null && ttl !== undefined) await this.expire(key, ttl);
  }
}

/**
 * mdel re-throws its validation errors through a wrapper that copies the StorageError shape
 * (the brand of Symbol.for("sa-storage-kit.StorageError"), name, kind) but loses the message.
 */
class MdelMessagelessError extends MemoryStorage {
  override async mdel(keys: readonly string[]): Promise<void> {
    try {
      return await super.mdel(keys);
    } catch (error) {
      const kind = (error as { kind?: unknown }).kind;
      throw Object.assign(new Error(''), {
        name: 'StorageError',
        kind,
        [Symbol.for('sa-storage-kit.StorageError')]: true,
      });
    }
  }
}

/** ttl answers from a cache of deadlines synchronously: a bare number, not a Promise, for a key with a TTL. */
class TtlSyncForDeadlines extends MemoryStorage {
  readonly #clock: { now(): number };
  readonly #deadlines = new Map<string, number>();
  constructor(options: { clock: { now(): number } }) {
    super(options);
    this.#clock = options.clock;
  }
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    await super.set(key, value, ttl);
    if (typeof ttl === 'number' && ttl > 0) this.#deadlines.set(key, this.#clock.now() + ttl);
    else this.#deadlines.delete(key);
  }
  override ttl(key: string): Promise<number | null> {
    const deadline = this.#deadlines.get(key);
    if (deadline !== undefined && deadline > this.#clock.now()) {
      return (deadline - this.#clock.now()) as unknown as Promise<number | null>;
    }
    return super.ttl(key);
  }
}

/** get of a key that was written with a TTL waits, once the key is gone, for a reclamation that never comes. */
class GetHangsOnExpired extends MemoryStorage {
  readonly #withTtl = new Set<string>();
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    await super.set(key, value, ttl);
    if (ttl !== undefined && ttl !== null) this.#withTtl.add(key);
    else this.#withTtl.delete(key);
  }
  override async get(key: string): Promise<string | null> {
    const value = await super.get(key);
    if (value === null && this.#withTtl.has(key)) await new Promise<never>(() => {});
    return value;
  }
}

export const failureDefects: readonly Defect[] = [
  {
    id: 'keys-type-error-on-non-string',
    method: 'keys',
    description:
      'keys uses its pattern as a string before validating it, so keys(42) rejects with a TypeError instead of a StorageError.',
    targets: ['FAIL-01'],
    create: (ctx) => new KeysTypeError({ clock: ctx.clock }),
  },
  {
    id: 'get-throws-synchronously',
    method: 'get',
    description:
      'get validates its key in a plain (non-async) method, so an ill-formed key throws synchronously instead of rejecting.',
    targets: ['FAIL-02'],
    create: (ctx) => new GetThrowsSynchronously({ clock: ctx.clock }),
  },
  {
    id: 'clear-returns-undefined',
    method: 'clear',
    description: 'clear starts the deletion and returns undefined instead of a Promise.',
    targets: ['FAIL-02'],
    create: (ctx) => new ClearReturnsUndefined({ clock: ctx.clock }),
  },
  {
    id: 'mset-hangs-on-malformed-item',
    method: 'mset',
    description:
      'mset drops an item that is not a [key, value] pair but still waits for its acknowledgement, so the call never settles.',
    targets: ['FAIL-03'],
    options: { callTimeoutMs: 200 },
    create: (ctx) => new MsetHangsOnMalformedItem({ clock: ctx.clock }),
  },
  {
    id: 'set-then-pexpire',
    method: 'set',
    description:
      'set with a TTL writes the value first and applies the TTL afterwards, so an invalid TTL rejects after the value was overwritten and its old TTL removed.',
    targets: ['FAIL-04'],
    create: (ctx) => new SetThenPexpire({ clock: ctx.clock }),
  },
  {
    id: 'mdel-messageless-error',
    method: 'mdel',
    description:
      'mdel rejects a bad key list with a look-alike of a StorageError (brand, name and kind) whose message is empty.',
    // FAIL-01 probes mdel itself; BULK-06 sees it only through the guard every rule runs behind.
    targets: ['FAIL-01', 'BULK-06'],
    create: (ctx) => new MdelMessagelessError({ clock: ctx.clock }),
  },
  {
    id: 'ttl-sync-for-deadlines',
    method: 'ttl',
    description: 'ttl answers a key that has a TTL synchronously with a bare number instead of a Promise.',
    // FAIL-02's own calls never give a key a TTL first: only the guard of TTL-04 meets it.
    targets: ['TTL-04'],
    create: (ctx) => new TtlSyncForDeadlines({ clock: ctx.clock }),
  },
  {
    id: 'get-hangs-on-expired-key',
    method: 'get',
    description: 'get of a key that was written with a TTL never settles once the key has expired.',
    // FAIL-03's own calls never wait for a TTL to run out: only the guard of TTL-01 meets it.
    targets: ['TTL-01'],
    options: { callTimeoutMs: 200 },
    create: (ctx) => new GetHangsOnExpired({ clock: ctx.clock }),
  },
];
