/**
 * Defects that first escaped the suite (they were known holes) and that sharper rules now
 * catch: keys read as globs (KV-10), long keys truncated (KV-04), expire's TTL capped (TTL-10),
 * keys() not returning an array (PAT-06).
 */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, normalizeRequiredTtl, StorageError, type Ttl } from '../contract/index.js';
import type { Defect } from './defect.js';

/** exists is `KEYS <key>` under the hood: the key is read as a glob. */
class ExistsKeyAsGlob extends MemoryStorage {
  override async exists(key: string): Promise<boolean> {
    assertWellFormedString(key, 'key');
    return (await this.keys(key)).length > 0;
  }
}

/** delete removes every key that the key, read as a glob, matches. */
class DeleteKeyAsGlob extends MemoryStorage {
  override async delete(key: string): Promise<void> {
    assertWellFormedString(key, 'key');
    await this.mdel(await this.keys(key));
  }
}

/** A key column of 1024 characters that silently truncates (MySQL without strict mode). */
const column = (key: string) => (typeof key === 'string' ? key.slice(0, 1024) : key);
class KeysTruncatedAt1024 extends MemoryStorage {
  override async get(key: string): Promise<string | null> {
    return super.get(column(key));
  }
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    return super.set(column(key), value, ttl);
  }
  override async delete(key: string): Promise<void> {
    return super.delete(column(key));
  }
  override async exists(key: string): Promise<boolean> {
    return super.exists(column(key));
  }
  override async ttl(key: string): Promise<number | null> {
    return super.ttl(column(key));
  }
}

/** Only expire goes through a setTimeout-based scheduler with a signed 32-bit delay. */
class ExpireCappedAtInt32 extends MemoryStorage {
  override async expire(key: string, ttl: number): Promise<void> {
    if (normalizeRequiredTtl(ttl) > 2 ** 31 - 1) {
      throw new StorageError('OperationFailed', `ttl ${ttl} exceeds the timer limit of ${2 ** 31 - 1} ms`);
    }
    return super.expire(key, ttl);
  }
}

/** SCAN results de-duplicated with a Set, and the Set returned as is. */
class KeysReturnsSet extends MemoryStorage {
  override async keys(pattern: string): Promise<string[]> {
    return new Set(await super.keys(pattern)) as unknown as string[];
  }
}

export const formerHoleDefects: readonly Defect[] = [
  {
    id: 'exists-key-as-glob',
    method: 'exists',
    description: 'exists is implemented as `KEYS <key>`, so exists("a*") is true when only "ab" is stored.',
    targets: ['KV-10'],
    create: (ctx) => new ExistsKeyAsGlob({ clock: ctx.clock }),
  },
  {
    id: 'delete-key-as-glob',
    method: 'delete',
    description: 'delete removes every key that the key, read as a glob, matches, so delete("a*") also deletes "ab".',
    targets: ['KV-10'],
    create: (ctx) => new DeleteKeyAsGlob({ clock: ctx.clock }),
  },
  {
    id: 'keys-truncated-at-1024-chars',
    method: ['set', 'get'],
    description:
      'keys are silently truncated to 1024 characters, so two long keys that share their first 1024 characters are one key.',
    targets: ['KV-04'],
    create: (ctx) => new KeysTruncatedAt1024({ clock: ctx.clock }),
  },
  {
    id: 'expire-capped-at-int32',
    method: 'expire',
    description: 'expire refuses TTLs above 2^31 − 1 ms (a setTimeout limit), although set accepts up to 10^15 ms.',
    targets: ['TTL-10'],
    create: (ctx) => new ExpireCappedAtInt32({ clock: ctx.clock }),
  },
  {
    id: 'keys-returns-set',
    method: 'keys',
    description: 'keys resolves to a Set of keys instead of an array.',
    targets: ['PAT-06'],
    create: (ctx) => new KeysReturnsSet({ clock: ctx.clock }),
  },
];
