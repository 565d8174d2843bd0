/**
 * Argument validation shared by every backend: keys, values and patterns must be
 * well-formed strings; TTLs must be finite milliseconds in (0, 10^15].
 *
 * Each function throws a StorageError; backends call them inside `async` methods, so
 * the throw becomes a rejected promise, never a synchronous throw.
 */
import { StorageError } from './errors.js';

/** Largest TTL the contract accepts, in milliseconds. */
export const MAX_TTL_MS = 1e15;

/** What a validated string is, as named in the error message. */
export type StringRole = 'key' | 'value' | 'pattern' | 'keyPrefix';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return 'an ill-formed string (lone UTF-16 surrogate)';
  return typeof value === 'number' ? `the number ${String(value)}` : `a value of type ${typeof value}`;
}

/** Rejects anything that is not a well-formed string (lone surrogates would collide once encoded as UTF-8). */
export function assertWellFormedString(value: unknown, role: StringRole): asserts value is string {
  if (typeof value === 'string' && value.isWellFormed()) return;
  throw new StorageError('SerializationError', `${role} must be a well-formed string, got ${describe(value)}`);
}

/** A backend's key prefix, checked once when the storage is made: any well-formed string ("" for none). */
export function checkKeyPrefix(prefix: unknown): string {
  assertWellFormedString(prefix, 'keyPrefix');
  return prefix;
}

/** Validates a list argument (mget/mdel keys) in full before anything is done. */
export function assertKeyList(keys: unknown): asserts keys is readonly string[] {
  if (!Array.isArray(keys)) {
    throw new StorageError('SerializationError', `keys must be an array of strings, got ${describe(keys)}`);
  }
  for (const key of keys) assertWellFormedString(key, 'key');
}

/** Validates mset items in full before anything is written. */
export function assertEntryList(items: unknown): asserts items is readonly (readonly [string, string])[] {
  if (!Array.isArray(items)) {
    throw new StorageError(
      'SerializationError',
      `items must be an array of [key, value] pairs, got ${describe(items)}`,
    );
  }
  for (const item of items) {
    if (!Array.isArray(item) || item.length !== 2) {
      throw new StorageError('SerializationError', 'each mset item must be a [key, value] pair');
    }
    assertWellFormedString(item[0], 'key');
    assertWellFormedString(item[1], 'value');
  }
}

function checkTtlNumber(ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL_MS) {
    const shown = typeof ttl === 'number' ? String(ttl) : describe(ttl);
    throw new StorageError(
      'OperationFailed',
      `ttl must be a finite number of milliseconds in (0, ${MAX_TTL_MS}], got ${shown}`,
    );
  }
  // Fractions round up: a 0.5 ms TTL still lives for 1 ms instead of expiring at once.
  return Math.ceil(ttl);
}

/** For set/mset: `null`/`undefined` means persistent (returns null); otherwise whole milliseconds. */
export function normalizeOptionalTtl(ttl: unknown): number | null {
  if (ttl === null || ttl === undefined) return null;
  return checkTtlNumber(ttl);
}

/** For expire: a TTL is required. */
export function normalizeRequiredTtl(ttl: unknown): number {
  if (ttl === null || ttl === undefined) {
    throw new StorageError('OperationFailed', `expire requires a ttl in milliseconds, got ${String(ttl)}`);
  }
  return checkTtlNumber(ttl);
}
