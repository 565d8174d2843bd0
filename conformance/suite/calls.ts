/**
 * Calling a backend method by name and waiting for it with a bound: the one place the suite
 * does this, for the guard, the failure-discipline and stub rules, and the stub probe.
 */
import type { SaStorage } from '../contract/index.js';
import { describeValue, RuleFailure } from './failures.js';

/** What the run knows about methods that did not settle in time (the CallLedger, see guard.ts). */
export interface HangMemory {
  hung(method: string): { readonly call: string; readonly timeoutMs: number; readonly where: string } | undefined;
  noteHung(method: string, call: string, timeoutMs: number): void;
}

/** Raw storages handed to rules, by the run they belong to: the bounded helpers below consult it. */
const hangMemories = new WeakMap<object, HangMemory>();

export function rememberHangs(storage: object, memory: HangMemory): void {
  hangMemories.set(storage, memory);
}

/** "keys() already failed to settle — …", when `method` of this storage hung earlier in the run. */
export function alreadyHung(storage: object, method: string): string | undefined {
  const hung = hangMemories.get(storage)?.hung(method);
  return hung === undefined
    ? undefined
    : `${method}() already failed to settle — ${hung.call} did not settle within ${hung.timeoutMs} ms (first met in ${hung.where})`;
}

/** How a call ended: its value, its rejection, or no answer within the bound. */
export type Settled = { readonly value: unknown } | { readonly error: unknown } | 'timeout';

/** Valid arguments for each method, for calls whose arguments do not matter (stub checks, probes). */
const SAMPLE_ARGS: Readonly<Record<string, readonly unknown[]>> = {
  set: ['k', 'v'],
  expire: ['k', 1000],
  mget: [['k']],
  mset: [[['k', 'v']]],
  mdel: [['k']],
  keys: ['*'],
  clear: [],
};

export function sampleArgs(method: string): readonly unknown[] {
  return SAMPLE_ARGS[method] ?? ['k'];
}

export function describeCall(method: string, args: readonly unknown[]): string {
  return `${method}(${args.map(describeValue).join(', ')})`;
}

/** Calls `storage[method](...args)`; a synchronous throw propagates (some rules look for exactly that). */
export function invokeMethod(storage: SaStorage, method: string, args: readonly unknown[]): unknown {
  const fn = (storage as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new TypeError(`the backend has no method ${method}()`);
  return fn.apply(storage, args);
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Waits for `returned` (a promise or a plain value) at most `timeoutMs`. */
export async function settleWithin(returned: unknown, timeoutMs: number): Promise<Settled> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = Promise.resolve(returned).then(
    (value): Settled => ({ value }),
    (error: unknown): Settled => ({ error }),
  );
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls a method and waits for it; a synchronous throw counts as a rejection here. */
export function callSettled(
  storage: SaStorage,
  method: string,
  args: readonly unknown[],
  timeoutMs: number,
): Promise<Settled> {
  // A method that hung earlier in the run is not waited for again (one time-out per method per run).
  if (alreadyHung(storage, method) !== undefined) return Promise.resolve('timeout');
  let returned: unknown;
  try {
    returned = invokeMethod(storage, method, args);
  } catch (error) {
    return Promise.resolve({ error });
  }
  return settleWithin(returned, timeoutMs).then((outcome) => {
    if (outcome === 'timeout') hangMemories.get(storage)?.noteHung(method, describeCall(method, args), timeoutMs);
    return outcome;
  });
}

/**
 * The call must return a Promise and must not throw synchronously (FAIL-02, STUB-02). Waits
 * for it, bounded: a call that never settles is FAIL-03's / STUB-03's finding, not this one's.
 */
export async function expectPromiseFromCall(
  storage: SaStorage,
  method: string,
  args: readonly unknown[],
  timeoutMs: number,
): Promise<void> {
  const call = describeCall(method, args);
  let returned: unknown;
  try {
    returned = invokeMethod(storage, method, args);
  } catch (error) {
    throw new RuleFailure(`${call} threw synchronously: ${describeValue(error)}`);
  }
  if (!isThenable(returned)) throw new RuleFailure(`${call} returned ${describeValue(returned)}, not a Promise`);
  if (alreadyHung(storage, method) !== undefined) return;
  if ((await settleWithin(returned, timeoutMs)) === 'timeout') {
    hangMemories.get(storage)?.noteHung(method, call, timeoutMs);
  }
}

/** The call must settle within `timeoutMs` (FAIL-03, STUB-03); a synchronous throw counts as settled. */
export async function expectCallSettles(
  storage: SaStorage,
  method: string,
  args: readonly unknown[],
  timeoutMs: number,
): Promise<void> {
  const hung = alreadyHung(storage, method);
  if (hung !== undefined) throw new RuleFailure(`${describeCall(method, args)} was not attempted: ${hung}`);
  if ((await callSettled(storage, method, args, timeoutMs)) === 'timeout') {
    throw new RuleFailure(`${describeCall(method, args)} did not settle within ${timeoutMs} ms`);
  }
}
