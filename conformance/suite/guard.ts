/**
 * Wraps a backend so that every call made by any rule enforces the failure discipline:
 * no synchronous throw, a real Promise, settles within the call timeout, and rejects only
 * with a StorageError. A breach fails the running rule with a message that names the call.
 */
import { isStorageError, SA_STORAGE_METHODS, type SaStorage } from '../contract/index.js';
import { describeCall, invokeMethod, isThenable, settleWithin } from './calls.js';
import { describeValue, RuleFailure } from './failures.js';

export function guardStorage(storage: SaStorage, callTimeoutMs: number): SaStorage {
  const guarded: Record<string, unknown> = {};
  for (const method of SA_STORAGE_METHODS) {
    guarded[method] = (...args: unknown[]) => callGuarded(storage, method, args, callTimeoutMs);
  }
  return guarded as unknown as SaStorage;
}

async function callGuarded(storage: SaStorage, method: string, args: unknown[], timeoutMs: number): Promise<unknown> {
  const call = describeCall(method, args);
  if (typeof (storage as unknown as Record<string, unknown>)[method] !== 'function') {
    throw new RuleFailure(`the backend has no method ${method}() [FAIL-02]`);
  }
  let returned: unknown;
  try {
    returned = invokeMethod(storage, method, args);
  } catch (error) {
    throw new RuleFailure(
      `${call} threw synchronously instead of returning a rejected promise [FAIL-02]: ${describeValue(error)}`,
    );
  }
  if (!isThenable(returned)) {
    throw new RuleFailure(`${call} returned ${describeValue(returned)} instead of a Promise [FAIL-02]`);
  }
  const outcome = await settleWithin(returned, timeoutMs);
  if (outcome === 'timeout') throw new RuleFailure(`${call} did not settle within ${timeoutMs} ms [FAIL-03]`);
  if ('value' in outcome) return outcome.value;
  const { error } = outcome;
  if (!isStorageError(error)) {
    throw new RuleFailure(`${call} rejected with ${describeValue(error)}, which is not a StorageError [FAIL-01]`);
  }
  if (error.message.length === 0) {
    throw new RuleFailure(`${call} rejected with a StorageError without a message [FAIL-01]`);
  }
  throw error;
}
