/** Area: failure discipline. Works on the raw backend, since the guard would hide what these rules inspect. */
import { isStorageError, type SA_STORAGE_METHODS } from '../contract/index.js';
import { callSettled, describeCall, expectCallSettles, expectPromiseFromCall } from '../suite/calls.js';
import { expectBetween, expectEqual } from '../suite/expect.js';
import { describeValue, RuleFailure } from '../suite/failures.js';
import type { Capability } from '../suite/types.js';
import type { Rule } from './rule.js';

/** Bad arguments for every method: each call must reject. */
export const BAD_CALLS: readonly (readonly [method: (typeof SA_STORAGE_METHODS)[number], args: readonly unknown[]])[] =
  [
    ['get', ['\ud800']],
    ['get', [undefined]],
    ['set', [1, 'v']],
    ['set', ['k', '\udc00']],
    ['set', ['k', 'v', -5]],
    ['delete', [null]],
    ['exists', [{}]],
    ['expire', ['k', Number.NaN]],
    ['expire', ['k', undefined]],
    ['ttl', ['\ud800']],
    ['mget', ['not an array']],
    ['mset', [[['k']]]],
    ['mset', [[['k', 'v']], 0]],
    ['mset', [null]],
    ['mdel', [[1]]],
    ['incr', [[]]],
    ['decr', ['\udfff']],
    ['keys', [42]],
  ];
const VALID_CALLS: readonly (readonly [method: (typeof SA_STORAGE_METHODS)[number], args: readonly unknown[]])[] = [
  ['set', ['k', 'v']],
  ['get', ['k']],
  ['exists', ['k']],
  ['expire', ['k', 60_000]],
  ['ttl', ['k']],
  ['mget', [['k', 'x']]],
  ['mset', [[['x', '1']], 60_000]],
  ['mdel', [['x']]],
  ['incr', ['n']],
  ['decr', ['n']],
  ['keys', ['*']],
  ['delete', ['k']],
  ['clear', []],
];

/** The five kinds of the contract, written out here so the check does not trust the kit's own list. */
const CONTRACT_KINDS: ReadonlySet<unknown> = new Set([
  'OperationFailed',
  'KeyNotFound',
  'SerializationError',
  'ConnectionError',
  'InternalError',
]);
/** The global brand every copy of sa-storage-kit puts on its StorageErrors. */
const STORAGE_ERROR_BRAND = Symbol.for('sa-storage-kit.StorageError');

/**
 * What another copy of the kit (a second version installed side by side, a bundled copy) checks
 * when `instanceof` cannot work: the global brand, a contract kind and a string message.
 */
function recognisedByAnotherCopy(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { [STORAGE_ERROR_BRAND]?: unknown; kind?: unknown; message?: unknown };
  return (
    candidate[STORAGE_ERROR_BRAND] === true &&
    CONTRACT_KINDS.has(candidate.kind) &&
    typeof candidate.message === 'string'
  );
}

export const failureRules: readonly Rule[] = [
  {
    id: 'FAIL-01',
    area: 'failures',
    title: 'every failure is a StorageError with a kind and a message',
    spec: 'Every rejection carries a `StorageError` (recognised by `isStorageError`) whose `kind` is one of OperationFailed, KeyNotFound, SerializationError, ConnectionError, InternalError and whose message is not empty.',
    hint: 'map every driver or runtime error to a StorageError in one place (toStorageError, or new StorageError(kind, message, { cause })); never let a TypeError or a driver error escape.',
    async run(t) {
      const s = await t.rawStorage();
      for (const [method, args] of BAD_CALLS) {
        if (t.unsupported.has(method as Capability)) continue; // a method declared missing (ttl, expire)
        const outcome = await callSettled(s, method, args, t.options.callTimeoutMs);
        const call = describeCall(method, args);
        if (outcome === 'timeout') throw new RuleFailure(`${call} did not settle within ${t.options.callTimeoutMs} ms`);
        if ('value' in outcome)
          throw new RuleFailure(`${call} resolved to ${describeValue(outcome.value)} instead of rejecting`);
        if (!isStorageError(outcome.error) || outcome.error.message.length === 0) {
          throw new RuleFailure(
            `${call} rejected with ${describeValue(outcome.error)}, not a StorageError with a message`,
          );
        }
        if (!recognisedByAnotherCopy(outcome.error)) {
          throw new RuleFailure(
            `${call} rejected with ${describeValue(outcome.error)}, which another copy of sa-storage-kit would not recognise (no Symbol.for("sa-storage-kit.StorageError") brand, or a kind outside the contract)`,
          );
        }
      }
    },
  },
  {
    id: 'FAIL-02',
    area: 'failures',
    title: 'no method throws synchronously; every method returns a Promise',
    spec: 'Every method returns a Promise, whatever its arguments: a failure is a rejected promise, never a synchronous throw.',
    hint: 'declare methods `async` (or return Promise.reject(…)) so argument checks before the first await still reject.',
    async run(t) {
      const s = await t.rawStorage();
      for (const [method, args] of [...BAD_CALLS, ...VALID_CALLS]) {
        await expectPromiseFromCall(s, method, args, t.options.callTimeoutMs);
      }
    },
  },
  {
    id: 'FAIL-03',
    area: 'failures',
    title: 'every call settles in bounded time',
    spec: 'Every call settles (resolves or rejects) within a bounded time; the suite’s bound is `callTimeoutMs` (default 5000 ms) and a stuck call fails naming the method.',
    hint: 'set connect and command timeouts on the client and disable unbounded offline queues.',
    async run(t) {
      const s = await t.rawStorage();
      for (const [method, args] of [...VALID_CALLS, ...BAD_CALLS]) {
        await expectCallSettles(s, method, args, t.options.callTimeoutMs);
      }
    },
  },
  {
    id: 'FAIL-04',
    area: 'failures',
    title: 'a rejected call changes nothing',
    spec: 'A call that rejects leaves every key, value and TTL as it was.',
    hint: 'the message names the rejected call that changed something: check every argument (assertWellFormedString, normalizeOptionalTtl / normalizeRequiredTtl, assertEntryList, assertKeyList) before the first write, and step counters through stepCounter before storing.',
    async run(t) {
      // Raw backend: the guard would turn a misbehaving call into an early rule failure.
      const storage = await t.rawStorage();
      await storage.mset(
        [
          ['k', 'v'],
          ['n', '5'],
        ],
        3_600_000,
      );
      await storage.set('p', 'x');
      await storage.set('bad', '1.5', 3_600_000);
      await storage.set('max', '9223372036854775807');
      // The state is read back after each rejected call, so a change names the one call that made it.
      const state = async () => ({
        values: await storage.mget(['k', 'n', 'p', 'bad', 'max']),
        k: await storage.ttl('k'),
        bad: await storage.ttl('bad'),
        p: await storage.ttl('p'),
      });
      const expectUnchanged = async (call: string) => {
        const now = await state();
        expectEqual(
          now.values,
          ['v', '5', 'x', '1.5', '9223372036854775807'],
          `mget(["k", "n", "p", "bad", "max"]) after the rejected ${call}`,
        );
        expectBetween(now.k, 1, 3_600_000, `ttl("k") after the rejected ${call}`);
        expectBetween(now.bad, 1, 3_600_000, `ttl("bad") after the rejected ${call}`);
        expectEqual(now.p, null, `ttl("p") after the rejected ${call}`);
      };
      expectBetween(await storage.ttl('k'), 1, 3_600_000, 'ttl("k") after mset([…], 3600000)');
      const calls: (readonly [string, readonly unknown[]])[] = [...BAD_CALLS, ['incr', ['bad']], ['incr', ['max']]];
      for (const [method, args] of calls) {
        await callSettled(storage, method, args, t.options.callTimeoutMs);
        await expectUnchanged(describeCall(method, args));
      }
    },
  },
];
