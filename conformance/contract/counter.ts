/**
 * Counter arithmetic as Redis INCR/DECR does it: the stored value must be a canonical
 * signed 64-bit decimal; the result is stored as an exact decimal string.
 */
import { StorageError } from './errors.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Optional '-', no '+', no leading zeros, no spaces, no "-0", at most 19 digits. */
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,18})$/;

/** The stored value as a bigint, or null when Redis would answer "not an integer or out of range". */
export function parseCanonicalInt64(stored: string): bigint | null {
  if (!CANONICAL_INTEGER.test(stored)) return null;
  const parsed = BigInt(stored);
  return parsed < INT64_MIN || parsed > INT64_MAX ? null : parsed;
}

/** The outcome of one counter step: what to store and what to resolve to. */
export interface CounterStep {
  /** The new value, exactly, as it must be stored. */
  readonly stored: string;
  /** The new value as a number (exact up to Number.MAX_SAFE_INTEGER). */
  readonly result: number;
}

/**
 * Applies +1/-1 to a stored value (null: missing key, counts from 0).
 * Throws SerializationError for a non-canonical value and OperationFailed on 64-bit overflow.
 */
export function stepCounter(stored: string | null, delta: 1 | -1, key: string): CounterStep {
  const current = stored === null ? 0n : parseCanonicalInt64(stored);
  if (current === null) {
    throw new StorageError(
      'SerializationError',
      `value of key ${JSON.stringify(key)} is not a canonical 64-bit integer`,
    );
  }
  const next = current + BigInt(delta);
  if (next < INT64_MIN || next > INT64_MAX) {
    throw new StorageError(
      'OperationFailed',
      `${delta > 0 ? 'incr' : 'decr'} of key ${JSON.stringify(key)} would overflow 64 bits`,
    );
  }
  return { stored: next.toString(), result: Number(next) };
}
