/**
 * Wraps a backend so that every call made by any rule enforces the failure discipline:
 * no synchronous throw, a real Promise that settles once, within the call timeout, with a
 * value of the method's type, and rejects only with a StorageError. A breach fails the
 * running rule with a message that names the call.
 *
 * The CallLedger is shared by a whole run: once a method has not settled in time, later calls
 * to it fail at once, naming that first time-out, so one hung method costs one time-out per
 * run instead of one per call (the check of any backend — in-process, server, child process).
 */
import { isStorageError, SA_STORAGE_METHODS, type SaStorage } from '../contract/index.js';
import { describeCall, type HangMemory, invokeMethod, isThenable, settleWithin } from './calls.js';
import { NOT_CHECKED } from './expect.js';
import { describeValue, RuleFailure } from './failures.js';

/** The first call of a method that did not settle in time. */
export interface HungCall {
  readonly call: string;
  readonly timeoutMs: number;
  /** The rule that met it ('the probe' before any rule ran). */
  readonly where: string;
}

/** Per run: which methods hung, and how many calls the running rule made. */
export class CallLedger implements HangMemory {
  readonly #hung = new Map<string, HungCall>();
  /** The rule (or phase) now running, named in time-outs. */
  where = 'the probe';
  /** Calls made since the last reset (a rule's coverage). */
  calls = 0;
  /** Set once the factory did not return in time: later factory calls fail at once with this. */
  factoryHung: string | undefined;
  /** Set once a dispose did not finish in time: later disposes are started but not waited for. */
  disposeHung = false;

  hung(method: string): HungCall | undefined {
    return this.#hung.get(method);
  }

  noteHung(method: string, call: string, timeoutMs: number): void {
    if (!this.#hung.has(method)) this.#hung.set(method, { call, timeoutMs, where: this.where });
  }

  /** Methods that hung, in contract order. */
  get hungMethods(): readonly string[] {
    return SA_STORAGE_METHODS.filter((method) => this.#hung.has(method));
  }
}

export function guardStorage(
  storage: SaStorage,
  callTimeoutMs: number,
  ledger = new CallLedger(),
  unsupported: ReadonlySet<string> = new Set(),
): SaStorage {
  const guarded: Record<string, unknown> = {};
  for (const method of SA_STORAGE_METHODS) {
    // A method the backend declares it lacks (ttl, expire) is not called: see NOT_CHECKED.
    guarded[method] =
      (method === 'ttl' || method === 'expire') && unsupported.has(method)
        ? () => Promise.resolve(NOT_CHECKED)
        : (...args: unknown[]) => callGuarded(storage, method, args, callTimeoutMs, ledger);
  }
  return guarded as unknown as SaStorage;
}

/** A native promise of this realm or another (a vm context, a worker's structured clone cannot carry one). */
function isNativePromise(value: unknown): boolean {
  return value instanceof Promise || Object.prototype.toString.call(value) === '[object Promise]';
}

async function callGuarded(
  storage: SaStorage,
  method: string,
  args: unknown[],
  timeoutMs: number,
  ledger: CallLedger,
): Promise<unknown> {
  const call = describeCall(method, args);
  if (typeof (storage as unknown as Record<string, unknown>)[method] !== 'function') {
    throw new RuleFailure(`the backend has no method ${method}() [FAIL-02]`);
  }
  const hung = ledger.hung(method);
  if (hung !== undefined) {
    throw new RuleFailure(
      `${call} was not attempted: ${method}() already failed to settle — ${hung.call} did not settle within ${hung.timeoutMs} ms (first met in ${hung.where}) [FAIL-03]`,
    );
  }
  ledger.calls++;
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
  if (!isNativePromise(returned)) {
    throw new RuleFailure(
      `${call} returned a thenable that is not a Promise [FAIL-02]: ${await describeThenable(returned, timeoutMs)}`,
    );
  }
  const outcome = await settleWithin(returned, timeoutMs);
  if (outcome === 'timeout') {
    ledger.noteHung(method, call, timeoutMs);
    throw new RuleFailure(`${call} did not settle within ${timeoutMs} ms [FAIL-03]`);
  }
  if ('value' in outcome) {
    const wrong = wrongType(method, args, outcome.value);
    if (wrong !== undefined) throw new RuleFailure(`${call} resolved with ${describeValue(outcome.value)}, ${wrong}`);
    return outcome.value;
  }
  const { error } = outcome;
  if (!isStorageError(error)) {
    throw new RuleFailure(`${call} rejected with ${describeValue(error)}, which is not a StorageError [FAIL-01]`);
  }
  if (error.message.length === 0) {
    throw new RuleFailure(`${call} rejected with a StorageError without a message [FAIL-01]`);
  }
  throw error;
}

/** How a foreign thenable behaved: what it settled with, and whether it settled more than once. */
async function describeThenable(thenable: PromiseLike<unknown>, timeoutMs: number): Promise<string> {
  const settlements: string[] = [];
  let first: () => void = () => {};
  const settledOnce = new Promise<void>((resolve) => {
    first = resolve;
  });
  const record = (what: string) => {
    settlements.push(what);
    first();
  };
  try {
    thenable.then(
      (value) => record(`resolved with ${describeValue(value)}`),
      (error) => record(`rejected with ${describeValue(error)}`),
    );
  } catch (error) {
    return `its then() threw ${describeValue(error)}`;
  }
  await settleWithin(settledOnce, timeoutMs);
  // A second settlement usually comes in the same or the next turn.
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (settlements.length === 0) return `it did not settle within ${timeoutMs} ms`;
  if (settlements.length > 1) return `it settled ${settlements.length} times (${settlements.join(', then ')})`;
  return `it ${settlements[0]}`;
}

const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';
const isWholeNumber = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

/**
 * Why a resolved value has the wrong type for its method, or undefined. Only the shape is
 * checked here (the rules check the values); methods typed `Promise<void>` may resolve with anything.
 */
function wrongType(method: string, args: readonly unknown[], value: unknown): string | undefined {
  switch (method) {
    case 'get':
      return isStringOrNull(value) ? undefined : 'not a string or null (a missing key is null, not undefined)';
    case 'exists':
      return typeof value === 'boolean' ? undefined : 'not a boolean (true or false, not 1/0)';
    case 'ttl':
      return value === null || isWholeNumber(value) ? undefined : 'not a whole number of ms or null';
    case 'incr':
    case 'decr':
      return isWholeNumber(value) ? undefined : 'not a whole number (a number, not a string)';
    case 'keys':
      return Array.isArray(value) && value.every((k) => typeof k === 'string') ? undefined : 'not an array of strings';
    case 'mget': {
      if (!Array.isArray(value) || !value.every(isStringOrNull)) {
        return 'not an array of strings and nulls (a missing key is null, not undefined)';
      }
      const asked = Array.isArray(args[0]) ? args[0].length : undefined;
      return asked === undefined || value.length === asked ? undefined : `${value.length} answers for ${asked} keys`;
    }
    default:
      return undefined;
  }
}
