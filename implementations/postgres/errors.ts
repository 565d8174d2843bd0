/**
 * The one place where anything thrown by node-postgres, Node's sockets or PostgreSQL itself
 * becomes a StorageError. Messages and causes are scrubbed of the password (see
 * conformance/contract/secrets.ts); the cause keeps the SQLSTATE `code`.
 */
import {
  isStorageError,
  type StorageError,
  type StorageErrorKind,
  scrubbedStorageError,
} from '../../conformance/contract/index.js';

/**
 * SQLSTATEs that mean "the server cannot serve you now", not "this operation is wrong":
 * class 08 (connection exception), 28 (invalid authorization), 3D000 (no such database),
 * 53300 (too many connections), 57P01-57P05 (shutdown, crash, cannot connect now, idle timeouts).
 */
const UNAVAILABLE_SQLSTATE = /^(?:08...|28...|3D000|53300|57P0[1-5])$/;
/** node-postgres's own connection-state errors. */
const CONNECTION_MESSAGE =
  /Connection terminated|Query read timeout|timeout exceeded when trying to connect|not queryable|Cannot use a pool after calling end|connection timeout|The server does not support SSL|server closed the connection/i;

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

/** The StorageError kind for an error from the PostgreSQL layer. */
export function classifyPostgresError(error: unknown, fallback: StorageErrorKind): StorageErrorKind {
  if (!(error instanceof Error)) return fallback;
  const code = field(error, 'code');
  const isServerError = typeof field(error, 'severity') === 'string' && typeof code === 'string';
  if (isServerError) {
    if (UNAVAILABLE_SQLSTATE.test(code)) return 'ConnectionError';
    if (code === '22021' || code === '22P05') return 'SerializationError'; // bad byte sequence / untranslatable
    return code === 'XX000' ? 'InternalError' : 'OperationFailed'; // overflow, lock timeout, missing table, …
  }
  if (CONNECTION_MESSAGE.test(error.message)) return 'ConnectionError';
  // Socket, DNS and TLS failures carry a code (ECONNREFUSED, ENOTFOUND, ECONNRESET, ERR_SSL_…, CERT_…).
  if (typeof code === 'string' || typeof field(error, 'syscall') === 'string') return 'ConnectionError';
  return fallback;
}

/**
 * Turns anything thrown below the storage into a StorageError (StorageErrors pass through).
 * `context` says what was being done; `secrets` are scrubbed from message and cause.
 */
export function mapPostgresError(
  error: unknown,
  context: string,
  secrets: readonly string[],
  fallback: StorageErrorKind = 'InternalError',
): StorageError {
  if (isStorageError(error)) return error;
  const kind = classifyPostgresError(error, fallback);
  return scrubbedStorageError(kind, context, error, secrets);
}
