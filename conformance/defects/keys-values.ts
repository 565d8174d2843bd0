/** Defects in keys and values (KV-xx). */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, StorageError, type Ttl } from '../contract/index.js';
import type { Defect } from './defect.js';

class GetMissingUndefined extends MemoryStorage {
  override async get(key: string): Promise<string | null> {
    const value = await super.get(key);
    return value === null ? (undefined as unknown as null) : value; // `map.get(key)?.value`
  }
}

class EmptyValueIsNull extends MemoryStorage {
  override async get(key: string): Promise<string | null> {
    return (await super.get(key)) || null;
  }
}

/** A C-string boundary: the value is cut at its first NUL. */
class ValueCutAtNul extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    return super.set(key, typeof value === 'string' ? (value.split('\u0000')[0] as string) : value, ttl);
  }
}

/** A VARCHAR(65535)-style column: longer values are silently truncated. */
class ValueTruncatedAt64k extends MemoryStorage {
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    return super.set(key, typeof value === 'string' ? value.slice(0, 65_535) : value, ttl);
  }
}

class DeleteMissingRejects extends MemoryStorage {
  override async delete(key: string): Promise<void> {
    if (!(await this.exists(key))) throw new StorageError('KeyNotFound', `key ${JSON.stringify(key)} does not exist`);
    return super.delete(key);
  }
}

class ExistsReturnsCount extends MemoryStorage {
  override async exists(key: string): Promise<boolean> {
    return ((await super.exists(key)) ? 1 : 0) as unknown as boolean; // Redis EXISTS answers a count
  }
}

/** Strings go through a UTF-8 round trip without a well-formedness check: a lone surrogate becomes U+FFFD. */
const utf8 = (text: string) =>
  typeof text === 'string' ? new TextDecoder().decode(new TextEncoder().encode(text)) : text;
class LoneSurrogatesReplaced extends MemoryStorage {
  override async get(key: string): Promise<string | null> {
    return super.get(utf8(key));
  }
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    return super.set(utf8(key), utf8(value), ttl);
  }
}

/** Keys and values are converted with String(x) instead of being validated. */
class NonStringsCoerced extends MemoryStorage {
  override async get(key: string): Promise<string | null> {
    return super.get(typeof key === 'symbol' ? key : String(key));
  }
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    const asString = (x: unknown) => (typeof x === 'symbol' ? (x as never) : String(x));
    return super.set(asString(key), asString(value), ttl);
  }
}

/** Keys are Unicode-normalised (NFC), so "e\u0301" and "\u00e9" are the same key. */
class KeysNormalised extends MemoryStorage {
  override async get(key: string): Promise<string | null> {
    assertWellFormedString(key, 'key');
    return super.get(key.normalize('NFC'));
  }
  override async set(key: string, value: string, ttl?: Ttl): Promise<void> {
    assertWellFormedString(key, 'key');
    return super.set(key.normalize('NFC'), value, ttl);
  }
}

export const keysValuesDefects: readonly Defect[] = [
  {
    id: 'get-missing-returns-undefined',
    method: 'get',
    description: 'get resolves to undefined instead of null for a key that was never written.',
    targets: ['KV-01'],
    create: (ctx) => new GetMissingUndefined({ clock: ctx.clock }),
  },
  {
    id: 'empty-value-reads-as-null',
    method: 'get',
    description: 'get answers `value || null`, so a stored empty string reads back as null.',
    targets: ['KV-02'],
    create: (ctx) => new EmptyValueIsNull({ clock: ctx.clock }),
  },
  {
    id: 'value-cut-at-nul',
    method: 'set',
    description: 'set stores values as C strings, so everything after the first NUL character is lost.',
    targets: ['KV-03'],
    create: (ctx) => new ValueCutAtNul({ clock: ctx.clock }),
  },
  {
    id: 'value-truncated-at-64k',
    method: 'set',
    description: 'set silently truncates values to 65,535 characters, like a VARCHAR column.',
    targets: ['KV-04'],
    create: (ctx) => new ValueTruncatedAt64k({ clock: ctx.clock }),
  },
  {
    id: 'delete-missing-rejects',
    method: 'delete',
    description: 'delete of a key that does not exist rejects with KeyNotFound instead of resolving.',
    targets: ['KV-05'],
    create: (ctx) => new DeleteMissingRejects({ clock: ctx.clock }),
  },
  {
    id: 'exists-returns-count',
    method: 'exists',
    description: 'exists resolves to the Redis EXISTS count (1 or 0) instead of a boolean.',
    targets: ['KV-06'],
    create: (ctx) => new ExistsReturnsCount({ clock: ctx.clock }),
  },
  {
    id: 'lone-surrogates-replaced',
    method: ['set', 'get'],
    description:
      'get and set encode keys and values to UTF-8 without a well-formedness check, so a lone surrogate silently becomes U+FFFD and collides with the real "\\ufffd" key.',
    targets: ['KV-07'],
    create: (ctx) => new LoneSurrogatesReplaced({ clock: ctx.clock }),
  },
  {
    id: 'non-string-keys-coerced',
    method: ['set', 'get'],
    description:
      'get and set convert keys and values with String(x), so the number 42 is accepted and becomes the key "42".',
    targets: ['KV-08'],
    create: (ctx) => new NonStringsCoerced({ clock: ctx.clock }),
  },
  {
    id: 'keys-unicode-normalised',
    method: ['set', 'get'],
    description: 'get and set normalise keys to NFC, so "e\\u0301" and "\\u00e9" are stored as one key.',
    targets: ['KV-09'],
    create: (ctx) => new KeysNormalised({ clock: ctx.clock }),
  },
];
