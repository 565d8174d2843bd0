/**
 * Known holes: realistic defects that the rules named in `targets` should report but do not
 * (yet). They are kept apart from `defects` so the defect set stays green, and
 * test/defects.test.ts expects each of them to escape: when a rule is strengthened and starts
 * catching one, that test fails and the defect moves into the regular set.
 */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, normalizeRequiredTtl, StorageError, type Ttl } from '../contract/index.js';
import type { Defect } from './defect.js';

export interface KnownHole extends Defect {
  /** Why the target rules miss it, and what check would catch it. */
  readonly hole: string;
}

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

export const knownHoles: readonly KnownHole[] = [
  {
    id: 'exists-key-as-glob',
    description: 'exists is implemented as `KEYS <key>`, so exists("a*") is true when only "ab" is stored.',
    targets: ['KV-06'],
    hole: 'KV-03 passes awkward keys (with * ? [ ] \\) through set and get only and KV-06 uses the key "k"; no rule calls exists (nor ttl, expire, incr) with a glob metacharacter in the key, and the model’s key pool has none.',
    create: (ctx) => new ExistsKeyAsGlob({ clock: ctx.clock }),
  },
  {
    id: 'delete-key-as-glob',
    description: 'delete removes every key that the key, read as a glob, matches, so delete("a*") also deletes "ab".',
    targets: ['KV-05'],
    hole: 'KV-05 deletes only plain keys ("a", "b", "cc"); no rule deletes a key containing * ? [ ] \\ while a key it would match as a glob is stored.',
    create: (ctx) => new DeleteKeyAsGlob({ clock: ctx.clock }),
  },
  {
    id: 'keys-truncated-at-1024-chars',
    description:
      'keys are silently truncated to 1024 characters, so two long keys that share their first 1024 characters are one key.',
    targets: ['KV-04'],
    hole: 'KV-04 round-trips a single 8 KiB key, and truncating on both set and get keeps that consistent; no rule writes two long keys with a common prefix or lists a long key with keys().',
    create: (ctx) => new KeysTruncatedAt1024({ clock: ctx.clock }),
  },
  {
    id: 'expire-capped-at-int32',
    description: 'expire refuses TTLs above 2^31 − 1 ms (a setTimeout limit), although set accepts up to 10^15 ms.',
    targets: ['TTL-10'],
    hole: 'TTL-10 checks the 10^15 ms TTL with set only (and TTL-07 checks that 10^15 + 1 is refused by expire); no rule calls expire with a TTL above 2^31 − 1.',
    create: (ctx) => new ExpireCappedAtInt32({ clock: ctx.clock }),
  },
  {
    id: 'keys-returns-set',
    description: 'keys resolves to a Set of keys instead of an array.',
    targets: ['PAT-06'],
    hole: 'expectSameKeys spreads and sorts whatever iterable it gets and the model iterates the result, so no rule checks that keys resolves to an array.',
    create: (ctx) => new KeysReturnsSet({ clock: ctx.clock }),
  },
];
