/** Defects in bulk operations (BULK-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertKeyList, type Entry, type Ttl } from '../contract/index.js';
import type { Defect } from './defect.js';

/** mget asks for each distinct key once and answers in that shape. */
class MgetDeduplicates extends MemoryStorage {
  override async mget(keys: readonly string[]): Promise<(string | null)[]> {
    assertKeyList(keys);
    return super.mget([...new Set(keys)]);
  }
}

/** MSET has no TTL: the ttl argument is dropped. */
class MsetIgnoresTtl extends MemoryStorage {
  override async mset(items: readonly Entry[], _ttl?: Ttl): Promise<void> {
    return super.mset(items);
  }
}

/** Items are de-duplicated keeping the first occurrence of each key. */
class MsetFirstWins extends MemoryStorage {
  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    if (!Array.isArray(items)) return super.mset(items, ttl);
    const seen = new Set<unknown>();
    const firsts = items.filter((item) => {
      const key = Array.isArray(item) ? item[0] : item;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return super.mset(firsts, ttl);
  }
}

/** mdel stops at the first key that is not there. */
class MdelStopsAtMissing extends MemoryStorage {
  override async mdel(keys: readonly string[]): Promise<void> {
    assertKeyList(keys);
    for (const key of keys) {
      if (!(await this.exists(key))) break;
      await this.delete(key);
    }
  }
}

/** Each item is validated by the single-key set as it is written. */
class MsetValidatesWhileWriting extends MemoryStorage {
  override async mset(items: readonly Entry[], ttl?: Ttl): Promise<void> {
    if (!Array.isArray(items)) return super.mset(items, ttl);
    for (const item of items) {
      const [key, value] = Array.isArray(item) ? item : [item, undefined];
      await this.set(key as string, value as string, ttl);
    }
  }
}

export const bulkDefects: readonly Defect[] = [
  {
    id: 'mget-deduplicates-keys',
    method: 'mget',
    description:
      'mget answers each distinct key once, so a duplicated key shortens the result and shifts every later position.',
    targets: ['BULK-01'],
    create: (ctx) => new MgetDeduplicates({ clock: ctx.clock }),
  },
  {
    id: 'mset-ignores-ttl',
    method: 'mset',
    description: 'mset drops its TTL argument (MSET has none), so every item it writes is persistent.',
    targets: ['BULK-03'],
    create: (ctx) => new MsetIgnoresTtl({ clock: ctx.clock }),
  },
  {
    id: 'mset-first-item-wins',
    method: 'mset',
    description: 'mset de-duplicates its items keeping the first occurrence of a key instead of the last.',
    targets: ['BULK-04'],
    create: (ctx) => new MsetFirstWins({ clock: ctx.clock }),
  },
  {
    id: 'mdel-stops-at-first-missing',
    method: 'mdel',
    description: 'mdel stops at the first key that does not exist, leaving every later key in place.',
    targets: ['BULK-05'],
    create: (ctx) => new MdelStopsAtMissing({ clock: ctx.clock }),
  },
  {
    id: 'mset-validates-while-writing',
    method: 'mset',
    description:
      'mset validates each item only when it writes it, so a bad last item rejects the call after the earlier items were written.',
    targets: ['BULK-06'],
    create: (ctx) => new MsetValidatesWhileWriting({ clock: ctx.clock }),
  },
];
