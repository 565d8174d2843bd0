/**
 * The process protocol's messages (docs/protocol.md): how a SaStorage call becomes one JSON
 * request line, and how a response line becomes a value or a StorageError.
 *
 * The kit validates argument *types* itself before sending (a string must be a well-formed
 * string, a TTL a finite number or nothing), because JSON cannot carry NaN or Infinity and a
 * typed backend (Rust `&str`, `Duration`) cannot even receive a lone surrogate or a number
 * where a key belongs. Argument *values* that JSON carries (TTL 0, -5, 1.5, 1e16, "", "\u0000")
 * are sent as they are: the backend's own validation answers them.
 */
import {
  assertEntryList,
  assertKeyList,
  assertWellFormedString,
  normalizeOptionalTtl,
  normalizeRequiredTtl,
  type SaStorageMethod,
  StorageError,
  type StorageErrorKind,
} from '../contract/index.js';

/** Major version of the protocol; a backend answers `hello` with the version it speaks. */
export const PROTOCOL_VERSION = 1;

/** A storage operation's fields (without id, store and now). */
export type OperationFields = { readonly op: SaStorageMethod } & Readonly<Record<string, unknown>>;

/** A TTL as the protocol sends it: checked for type only (a finite number), its value left to the backend. */
function optionalTtl(ttl: unknown): number | null {
  if (ttl === null || ttl === undefined) return null;
  if (typeof ttl === 'number' && Number.isFinite(ttl)) return ttl;
  // Not representable in JSON or in a typed signature: the kit answers with the contract's error.
  return normalizeOptionalTtl(ttl);
}

function requiredTtl(ttl: unknown): number {
  if (typeof ttl === 'number' && Number.isFinite(ttl)) return ttl;
  return normalizeRequiredTtl(ttl);
}

/**
 * The request fields for a call, or a thrown StorageError when an argument has a type the
 * protocol cannot carry (the same error the contract's validation gives in-process).
 */
export function encodeOperation(method: SaStorageMethod, args: readonly unknown[]): OperationFields {
  switch (method) {
    case 'get':
    case 'delete':
    case 'exists':
    case 'ttl':
    case 'incr':
    case 'decr':
      assertWellFormedString(args[0], 'key');
      return { op: method, key: args[0] };
    case 'set': {
      assertWellFormedString(args[0], 'key');
      assertWellFormedString(args[1], 'value');
      const ttl = optionalTtl(args[2]);
      return ttl === null
        ? { op: method, key: args[0], value: args[1] }
        : { op: method, key: args[0], value: args[1], ttl };
    }
    case 'expire':
      assertWellFormedString(args[0], 'key');
      return { op: method, key: args[0], ttl: requiredTtl(args[1]) };
    case 'clear':
      return { op: method };
    case 'mget':
    case 'mdel':
      assertKeyList(args[0]);
      return { op: method, keys: args[0] };
    case 'mset': {
      assertEntryList(args[0]);
      const ttl = optionalTtl(args[1]);
      return ttl === null ? { op: method, items: args[0] } : { op: method, items: args[0], ttl };
    }
    case 'keys':
      assertWellFormedString(args[0], 'pattern');
      return { op: method, pattern: args[0] };
  }
}

/** A method's arguments from a request's named fields (the inverse of encodeOperation; the server side). */
export function operationArguments(request: Readonly<Record<string, unknown>>): unknown[] {
  switch (request.op as SaStorageMethod) {
    case 'set':
      return [request.key, request.value, request.ttl];
    case 'expire':
      return [request.key, request.ttl];
    case 'clear':
      return [];
    case 'mget':
    case 'mdel':
      return [request.keys];
    case 'mset':
      return [request.items, request.ttl];
    case 'keys':
      return [request.pattern];
    default:
      return [request.key];
  }
}

const VOID_OPERATIONS: ReadonlySet<string> = new Set(['set', 'delete', 'expire', 'clear', 'mset', 'mdel']);

/** The resolved value of a call from the response's `result` (void operations resolve to undefined). */
export function decodeResult(method: string, result: unknown): unknown {
  return VOID_OPERATIONS.has(method) && result === null ? undefined : result;
}

const ERROR_KINDS: ReadonlySet<string> = new Set([
  'OperationFailed',
  'KeyNotFound',
  'SerializationError',
  'ConnectionError',
  'InternalError',
]);

/** A response line, parsed: its id and either a result or an error; or why it is not a response. */
export type Response =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: StorageError }
  | { readonly id: number; readonly invalid: string }
  | { readonly garbage: string };

/** Parses one stdout line of the backend. Never throws. */
export function parseResponse(line: string): Response {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return { garbage: 'it is not JSON' };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { garbage: 'it is not a JSON object' };
  }
  const { id, result, error } = message as { id?: unknown; result?: unknown; error?: unknown };
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { garbage: 'it has no integer "id"' };
  if (error !== undefined && error !== null) {
    const { kind, message: text } = error as { kind?: unknown; message?: unknown };
    if (typeof kind !== 'string' || !ERROR_KINDS.has(kind)) {
      return { id, invalid: `its error kind ${JSON.stringify(kind)} is not one of ${[...ERROR_KINDS].join(', ')}` };
    }
    if (typeof text !== 'string' || text.length === 0) return { id, invalid: 'its error has no message' };
    return { id, error: new StorageError(kind as StorageErrorKind, text) };
  }
  if (!('result' in (message as object))) return { id, invalid: 'it has neither "result" nor "error"' };
  return { id, result };
}

/** A line shown in a finding: at most `max` characters, JSON-quoted so control bytes stay visible. */
export function quoteLine(line: string, max = 200): string {
  return line.length > max ? `${JSON.stringify(line.slice(0, max))}… (${line.length} chars)` : JSON.stringify(line);
}
