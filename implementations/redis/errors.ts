/**
 * The one place where anything thrown by ioredis, Node's sockets or Redis itself becomes a
 * StorageError. Messages and causes are scrubbed of connection secrets: the password is
 * replaced wherever it appears, and the cause is a copy of the original error that keeps only
 * harmless fields (ioredis attaches `command.args` to errors, and for AUTH/HELLO those are the
 * credentials).
 */
import {
  isStorageError,
  type StorageError,
  type StorageErrorKind,
  scrubbedStorageError,
} from '../../conformance/contract/index.js';

/** Redis replies that mean "the server cannot serve you right now", not "this operation is wrong". */
const UNAVAILABLE_REPLY = /^(?:NOAUTH|WRONGPASS|LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;
/** ioredis's own connection-state errors (standalone and Cluster). */
const CONNECTION_MESSAGE =
  /Command timed out|Connection is closed|Connection is (?:aborted|discarded)|Stream isn't writeable|Socket timeout|connect ETIMEDOUT|Command aborted due to connection close|Reached the max retries per request limit|Cluster isn't ready|Cluster is (?:ended|disconnected|disconnecting)|None of startup nodes is available|Failed to refresh slots cache|Too many Cluster redirections/i;
/** Error names ioredis uses for connection loss. */
const CONNECTION_NAMES = new Set([
  'AbortError',
  'MaxRetriesPerRequestError',
  'InterruptError',
  'ClusterAllFailedError',
]);

// The secret-scrubbing helpers live with the contract, shared by every backend.
export { redact, sanitizeCause, secretVariants } from '../../conformance/contract/secrets.js';

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

/** Where in a Lua script Redis raised an error (" script: <sha1>, on @user_script:1."): noise for the caller. */
const SCRIPT_LOCATION = / script: [0-9a-f]{40}, on @user_script:\d+\.$/;

/**
 * The message (without a script location: incr/decr and mset run as scripts), plus the last
 * node's error for ioredis's "Failed to refresh slots cache." (say why).
 */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(SCRIPT_LOCATION, '');
  const last = field(error, 'lastNodeError');
  return last instanceof Error ? `${message} (last node error: ${last.message})` : message;
}

/** The StorageError kind for an error from the Redis layer. */
export function classifyRedisError(error: unknown, fallback: StorageErrorKind): StorageErrorKind {
  if (!(error instanceof Error)) return fallback;
  const message = error.message;
  if (error.name === 'ReplyError' || error.name === 'SimpleError' || error.name === 'BulkError') {
    if (/value is not an integer or out of range/.test(message)) return 'SerializationError';
    if (UNAVAILABLE_REPLY.test(message)) return 'ConnectionError';
    return 'OperationFailed'; // WRONGTYPE, overflow, OOM, EXECABORT, NOPERM, READONLY, …
  }
  if (CONNECTION_NAMES.has(error.name) || CONNECTION_MESSAGE.test(message)) return 'ConnectionError';
  const code = field(error, 'code');
  // Socket, DNS and TLS failures all carry a code (ECONNREFUSED, ENOTFOUND, ERR_SSL_…, CERT_…).
  if (typeof code === 'string' || typeof field(error, 'syscall') === 'string') return 'ConnectionError';
  return fallback;
}

/**
 * Turns anything thrown below the storage into a StorageError (StorageErrors pass through).
 * `context` says what was being done; `secrets` are scrubbed from message and cause;
 * `fallback` is the kind for errors nobody recognises (a bug: InternalError by default).
 */
export function mapRedisError(
  error: unknown,
  context: string,
  secrets: readonly string[],
  fallback: StorageErrorKind = 'InternalError',
): StorageError {
  if (isStorageError(error)) return error;
  const kind = classifyRedisError(error, fallback);
  return scrubbedStorageError(kind, context, error, secrets, describe(error));
}
