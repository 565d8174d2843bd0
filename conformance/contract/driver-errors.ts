/**
 * Driver errors → StorageError, scrubbed. In a file of its own: errors.ts stays free of imports
 * (a second copy of the package must be loadable from it alone), and a stack trace through here
 * never names a file called "secrets" (tests look for the password "secret" in whole errors).
 */
import { StorageError, type StorageErrorKind } from './errors.js';
import { redact, sanitizeCause } from './secrets.js';

/**
 * The one way a backend turns a driver's error into a StorageError: `kind` as the backend
 * classified it, "<context>: <detail>" as the message, and every secret scrubbed from message
 * and cause (`detail` defaults to the error's own message).
 */
export function scrubbedStorageError(
  kind: StorageErrorKind,
  context: string,
  error: unknown,
  secrets: readonly string[],
  detail: string = error instanceof Error ? error.message : String(error),
): StorageError {
  return new StorageError(kind, redact(`${context}: ${detail}`, secrets), { cause: sanitizeCause(error, secrets) });
}
