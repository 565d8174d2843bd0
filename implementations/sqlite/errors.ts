/**
 * The one place where anything thrown by better-sqlite3 or SQLite becomes a StorageError.
 */
import {
  isStorageError,
  type StorageError,
  type StorageErrorKind,
  scrubbedStorageError,
} from '../../conformance/contract/index.js';

/**
 * SQLite result codes (primary part) that mean "the database cannot be used right now": locked by
 * another connection beyond the busy timeout (BUSY, LOCKED), cannot be opened, or an I/O error.
 */
const UNAVAILABLE_CODE = /^SQLITE_(?:BUSY|LOCKED|CANTOPEN|IOERR|PROTOCOL)(?:_|$)/;

/** The StorageError kind for an error from the SQLite layer. */
export function classifySqliteError(error: unknown, fallback: StorageErrorKind): StorageErrorKind {
  if (!(error instanceof Error)) return fallback;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return UNAVAILABLE_CODE.test(code) ? 'ConnectionError' : 'OperationFailed'; // FULL, READONLY, CORRUPT, TOOBIG, …
  }
  // better-sqlite3 refuses statements on a closed database with a TypeError.
  if (/database connection is not open/i.test(error.message)) return 'ConnectionError';
  return fallback;
}

/** Turns anything thrown below the storage into a StorageError (StorageErrors pass through). */
export function mapSqliteError(
  error: unknown,
  context: string,
  fallback: StorageErrorKind = 'InternalError',
): StorageError {
  if (isStorageError(error)) return error;
  const kind = classifySqliteError(error, fallback);
  return scrubbedStorageError(kind, context, error, []);
}
