/** `sa-storage-kit`: the SaStorage contract, its error type and the helpers every backend reuses. */

export { type CounterStep, parseCanonicalInt64, stepCounter } from './counter.js';
export { scrubbedStorageError } from './driver-errors.js';
export { isStorageError, StorageError, StorageErrorKind, toStorageError } from './errors.js';
export { compilePattern, escapeGlob, matchesPattern } from './glob.js';
export { redact, sanitizeCause, secretVariants } from './secrets.js';
export {
  type Clock,
  type Entry,
  SA_STORAGE_METHODS,
  type SaStorage,
  SaStorageBase,
  type SaStorageMethod,
  systemClock,
  type Ttl,
} from './storage.js';
export {
  assertEntryList,
  assertKeyList,
  assertWellFormedString,
  checkKeyPrefix,
  MAX_TTL_MS,
  normalizeOptionalTtl,
  normalizeRequiredTtl,
  type StringRole,
} from './validation.js';
