import { describe, expect, test } from 'vitest';
import { SA_STORAGE_METHODS } from '../conformance/contract/index.js';
import { DatabaseStorage } from '../implementations/database/index.js';
import { expectRejects } from './helpers.js';

const sampleArgs: Record<string, unknown[]> = {
  set: ['k', 'v'],
  expire: ['k', 10],
  mget: [['k']],
  mset: [[['k', 'v']]],
  mdel: [['k']],
  keys: ['*'],
};

describe('DatabaseStorage stub', () => {
  test('connect rejects with InternalError telling what to use instead', async () => {
    await expectRejects(() => DatabaseStorage.connect('postgres://localhost/test'), 'InternalError');
    await DatabaseStorage.connect('x').catch((error: Error) =>
      expect(error.message).toMatch(/not implemented yet; use memory or redis storage/),
    );
  });

  test.each(SA_STORAGE_METHODS)(
    '%s rejects with InternalError "Not implemented" (a rejected promise)',
    async (method) => {
      const storage = new DatabaseStorage('postgres://localhost/test');
      const call = () =>
        (storage[method] as (...args: unknown[]) => Promise<unknown>)(...(sampleArgs[method] ?? ['k']));
      await expectRejects(call, 'InternalError');
      await call().catch((error: Error) => expect(error.message).toMatch(/^Not implemented/));
    },
  );
});
