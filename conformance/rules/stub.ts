/** The stub profile: what an unimplemented backend (the DatabaseStorage stub) must do instead. */
import { isStorageError, SA_STORAGE_METHODS } from '../contract/index.js';
import { describeCall, expectCallSettles, expectPromiseFromCall, invokeMethod, sampleArgs } from '../suite/calls.js';
import { describeValue, RuleFailure } from '../suite/failures.js';
import type { Rule } from './rule.js';

/** Rules an unimplemented backend is held to instead (`expect: 'unimplemented'`). */
export const stubRules: readonly Rule[] = [
  {
    id: 'STUB-01',
    area: 'stub',
    title: 'every method rejects with InternalError',
    spec: 'An unimplemented backend rejects every one of the 13 methods with a `StorageError` of kind `InternalError` whose message starts with "Not implemented".',
    hint: 'return Promise.reject(new StorageError("InternalError", "Not implemented: …")) from every method.',
    async run(t) {
      const s = await t.storage();
      for (const method of SA_STORAGE_METHODS) {
        const shown = describeCall(method, sampleArgs(method));
        const outcome = await (invokeMethod(s, method, sampleArgs(method)) as Promise<unknown>).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ('value' in outcome) throw new RuleFailure(`${shown} resolved to ${describeValue(outcome.value)}`);
        const { error } = outcome;
        if (!isStorageError(error) || error.kind !== 'InternalError' || !/^Not implemented/i.test(error.message)) {
          throw new RuleFailure(
            `${shown} rejected with ${describeValue(error)}, expected InternalError "Not implemented…"`,
          );
        }
      }
    },
  },
  {
    id: 'STUB-02',
    area: 'stub',
    title: 'the stub rejects as a promise, never synchronously',
    spec: 'An unimplemented backend fails through a rejected Promise from every method, never a synchronous throw.',
    hint: 'throwing inside a non-async method is a synchronous throw; return a rejected promise instead.',
    async run(t) {
      const s = await t.rawStorage();
      for (const method of SA_STORAGE_METHODS) {
        await expectPromiseFromCall(s, method, sampleArgs(method), t.options.callTimeoutMs);
      }
    },
  },
  {
    id: 'STUB-03',
    area: 'stub',
    title: 'the stub answers promptly',
    spec: 'An unimplemented backend settles every call within the call timeout (it does not try to connect first).',
    hint: 'reject before opening any connection.',
    async run(t) {
      // Raw backend with its own timer: the guard's timeout is a rejection, which a catch-all would swallow.
      const s = await t.rawStorage();
      // A synchronous throw counts as settled here: it is STUB-02's finding.
      for (const method of SA_STORAGE_METHODS) {
        await expectCallSettles(s, method, sampleArgs(method), t.options.callTimeoutMs);
      }
    },
  },
];
