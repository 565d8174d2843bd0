/**
 * StorageError: the only error type a SaStorage may reject with.
 *
 * The brand uses `Symbol.for` so that `isStorageError` recognises errors made by
 * another copy of this package (two versions installed side by side, bundled copies).
 */

/**
 * The five kinds of {@link StorageError}: `SerializationError` (ill-formed string, non-canonical counter),
 * `OperationFailed` (invalid TTL, counter overflow, a refused command), `ConnectionError` (unreachable,
 * refused credentials, no answer in time), `InternalError` (not implemented, a backend bug), and
 * `KeyNotFound` (never required by the suite).
 */
export const StorageErrorKind = {
  OperationFailed: 'OperationFailed',
  KeyNotFound: 'KeyNotFound',
  SerializationError: 'SerializationError',
  ConnectionError: 'ConnectionError',
  InternalError: 'InternalError',
} as const;

/** One of the five kinds of {@link StorageError}. */
export type StorageErrorKind = (typeof StorageErrorKind)[keyof typeof StorageErrorKind];

const STORAGE_ERROR_KINDS: ReadonlySet<string> = new Set(Object.values(StorageErrorKind));

/** Global brand shared by every copy of the package. */
const BRAND: unique symbol = Symbol.for('sa-storage-kit.StorageError') as never;

/**
 * The only error a SaStorage rejects with: a `kind`, a non-empty message, and the underlying `cause`.
 * Recognise one with {@link isStorageError} (which also accepts errors from another copy of the package).
 */
export class StorageError extends Error {
  /** What went wrong, in the contract's terms (see {@link StorageErrorKind}). */
  readonly kind: StorageErrorKind;
  /** Brand shared by every copy of the package (`Symbol.for`), read by {@link isStorageError}. */
  declare readonly [BRAND]: true;

  constructor(kind: StorageErrorKind, message: string, options?: { cause?: unknown }) {
    if (!STORAGE_ERROR_KINDS.has(kind)) {
      throw new TypeError(`StorageError: unknown kind ${String(kind)}`);
    }
    super(message.length > 0 ? message : kind, options);
    this.name = 'StorageError';
    this.kind = kind;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/** True for a StorageError from this or any other copy of sa-storage-kit. */
export function isStorageError(value: unknown): value is StorageError {
  if (value instanceof StorageError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { [BRAND]?: unknown; kind?: unknown; message?: unknown };
  return (
    candidate[BRAND] === true &&
    typeof candidate.kind === 'string' &&
    STORAGE_ERROR_KINDS.has(candidate.kind) &&
    typeof candidate.message === 'string'
  );
}

/** Wraps anything thrown by a lower layer into a StorageError of the given kind (errors already typed pass through). */
export function toStorageError(error: unknown, kind: StorageErrorKind, context: string): StorageError {
  if (isStorageError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(kind, `${context}: ${detail}`, { cause: error });
}
