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
];
