/** What both SQL backends check of their options before anything else: an object, and a usable clock. */
import { type Clock, StorageError } from '../../conformance/contract/index.js';

/**
 * `options` as the backend's options type, after checking it is an object (or absent) whose
 * `clock`, when given, has a `now()` method; anything else rejects with OperationFailed naming
 * `backend` ("PostgresStorage", "SqliteStorage").
 */
export function checkSqlStorageOptions<T extends { readonly clock?: Clock }>(options: unknown, backend: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object') {
    throw new StorageError('OperationFailed', `invalid ${backend} options: expected an object`);
  }
  const clock = (options as { clock?: unknown }).clock;
  if (
    clock !== undefined &&
    (typeof clock !== 'object' || clock === null || typeof (clock as Clock).now !== 'function')
  ) {
    throw new StorageError(
      'OperationFailed',
      `invalid ${backend} option: clock must have a now() method returning epoch milliseconds`,
    );
  }
  return options as T;
}
