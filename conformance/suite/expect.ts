/** Assertions for rules: each failure message says what was called, what was expected and what came back. */
import { isStorageError, type StorageErrorKind } from '../contract/index.js';
import { describeValue, RuleFailure } from './failures.js';

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

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (isNotChecked(actual)) return;
  if (!same(actual, expected)) {
    throw new RuleFailure(`${what}: expected ${describeValue(expected)}, got ${describeValue(actual)}`);
  }
}

export function expectTrue(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RuleFailure(message);
}

/** Same elements regardless of order, each exactly once. */
export function expectSameKeys(actual: readonly string[], expected: readonly string[], what: string): void {
  if (!Array.isArray(actual)) throw new RuleFailure(`${what}: expected an array of keys, got ${describeValue(actual)}`);
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
    throw new RuleFailure(`${what}: ${parts.join('; ')} (expected ${describeValue(sortedExpected)})`);
  }
}

/** The call must reject with a StorageError of `kind` (the guard already rejects sync throws and plain errors). */
export async function expectRejection(
  call: () => Promise<unknown>,
  kind: StorageErrorKind,
  what: string,
): Promise<void> {
  let outcome: { value: unknown } | { error: unknown };
  try {
    outcome = { value: await call() };
  } catch (error) {
    if (error instanceof RuleFailure) throw error;
    outcome = { error };
  }
  if ('value' in outcome) {
    if (isNotChecked(outcome.value)) return;
    throw new RuleFailure(
      `${what}: expected a rejection with ${kind}, but it resolved to ${describeValue(outcome.value)}`,
    );
  }
  const { error } = outcome;
  if (!isStorageError(error) || error.kind !== kind) {
    const got = isStorageError(error) ? `${error.kind} (${error.message})` : describeValue(error);
    throw new RuleFailure(`${what}: expected a rejection with ${kind}, got ${got}`);
  }
}

/** Numbers within [low, high]. */
export function expectBetween(actual: unknown, low: number, high: number, what: string): void {
  if (isNotChecked(actual)) return;
  if (typeof actual !== 'number' || !(actual >= low && actual <= high)) {
    throw new RuleFailure(`${what}: expected a number in [${low}, ${high}], got ${describeValue(actual)}`);
  }
}
