import { expect } from 'vitest';
import { isStorageError, type StorageErrorKind } from '../conformance/contract/index.js';

/** Asserts that calling `run` does not throw synchronously and that its promise rejects with a StorageError of `kind`. */
export async function expectRejects(run: () => Promise<unknown>, kind: StorageErrorKind): Promise<void> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = run();
  }, 'must not throw synchronously').not.toThrow();
  const outcome = await promise?.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  expect(outcome && 'error' in outcome, `expected a rejection with ${kind}`).toBe(true);
  const error = (outcome as { error: unknown }).error;
  expect(isStorageError(error), `expected a StorageError, got ${String(error)}`).toBe(true);
  expect((error as { kind: string }).kind).toBe(kind);
}
