/** Assertions for rules: each failure message says what was called, what was expected and what came back. */
import { isStorageError, type StorageErrorKind } from '../contract/index.js';
import { type CheckTag, describeValue, RuleFailure } from './failures.js';

/**
 * What a check looks at: its text ("ttl(\"k\") after expire(\"k\", 500)"), optionally tagged with the
 * sentence it verifies and the method under test (see `checking`). Untagged, the running rule is
 * the sentence and the method is read from the text (diagnosis.ts).
 */
export type What = string | (CheckTag & { readonly what: string });

/** Tags a check: `checking('TTL-04', 'ttl', 'ttl("c") after incr')` breaks TTL-04 wherever it runs. */
export function checking(breaks: string | undefined, method: string | undefined, what: string, hint?: string): What {
  return {
    what,
    ...(breaks !== undefined ? { breaks } : {}),
    ...(method !== undefined ? { method } : {}),
    ...(hint !== undefined ? { hint } : {}),
  };
}

const text = (what: What) => (typeof what === 'string' ? what : what.what);
const tag = (what: What): CheckTag => (typeof what === 'string' ? { text: what } : { ...what, text: what.what });
const fail = (what: What, message: string) => new RuleFailure(`${text(what)}: ${message}`, { check: tag(what) });

/**
 * What a guarded `ttl()` resolves to when the backend declares no "ttl" capability (and a guarded
 * `expire()` without "expire"): the call is not made, and every expectation on its answer is
 * skipped, so a rule that reads a TTL in passing still checks everything else.
 */
export const NOT_CHECKED: unique symbol = Symbol('sa-storage-kit: not checked (capability declared unsupported)');

export function isNotChecked(value: unknown): boolean {
  return value === NOT_CHECKED;
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return false;
}

export function expectEqual<T>(actual: T, expected: T, what: What): void {
  if (isNotChecked(actual)) return;
  if (!same(actual, expected)) {
    throw fail(what, `expected ${describeValue(expected)}, got ${describeValue(actual)}`);
  }
}

export function expectTrue(condition: boolean, message: What): asserts condition {
  if (!condition) throw new RuleFailure(text(message), { check: tag(message) });
}

/** Same elements regardless of order, each exactly once. */
export function expectSameKeys(actual: readonly string[], expected: readonly string[], what: What): void {
  if (!Array.isArray(actual)) throw fail(what, `expected an array of keys, got ${describeValue(actual)}`);
  const sortedActual = [...actual].sort();
  const sortedExpected = [...expected].sort();
  if (!same(sortedActual, sortedExpected)) {
    const missing = sortedExpected.filter((k) => !actual.includes(k));
    const extra = sortedActual.filter((k) => !expected.includes(k));
    const duplicated = sortedActual.filter((k, i) => sortedActual[i + 1] === k);
    const parts = [
      missing.length ? `missing ${describeValue(missing)}` : '',
      extra.length ? `unexpected ${describeValue(extra)}` : '',
      duplicated.length ? `listed more than once ${describeValue(duplicated)}` : '',
    ].filter(Boolean);
    throw fail(what, `${parts.join('; ')} (expected ${describeValue(sortedExpected)})`);
  }
}

/** The call must reject with a StorageError of `kind` (the guard already rejects sync throws and plain errors). */
export async function expectRejection(call: () => Promise<unknown>, kind: StorageErrorKind, what: What): Promise<void> {
  let outcome: { value: unknown } | { error: unknown };
  try {
    outcome = { value: await call() };
  } catch (error) {
    if (error instanceof RuleFailure) throw error;
    outcome = { error };
  }
  if ('value' in outcome) {
    if (isNotChecked(outcome.value)) return;
    throw fail(what, `expected a rejection with ${kind}, but it resolved to ${describeValue(outcome.value)}`);
  }
  const { error } = outcome;
  if (!isStorageError(error) || error.kind !== kind) {
    const got = isStorageError(error) ? `${error.kind} (${error.message})` : describeValue(error);
    throw fail(what, `expected a rejection with ${kind}, got ${got}`);
  }
}

/** Numbers within [low, high]. */
export function expectBetween(actual: unknown, low: number, high: number, what: What): void {
  if (isNotChecked(actual)) return;
  if (typeof actual !== 'number' || !(actual >= low && actual <= high)) {
    throw fail(what, `expected a number in [${low}, ${high}], got ${describeValue(actual)}`);
  }
}
