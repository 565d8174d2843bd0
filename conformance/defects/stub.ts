/** Defective stubs, checked with the stub profile (`expect: 'unimplemented'`, STUB-xx). */

import { DatabaseStorage } from '../../implementations/database/index.js';
import { StorageError } from '../contract/index.js';
import type { Defect } from './defect.js';

const URL = 'postgres://localhost/sa-token';

class StubRejectsOperationFailed extends DatabaseStorage {
  override mget(_keys: readonly string[]): Promise<(string | null)[]> {
    return Promise.reject(new StorageError('OperationFailed', 'Not implemented: DatabaseStorage.mget'));
  }
}

class StubClearResolves extends DatabaseStorage {
  override async clear(): Promise<void> {
    // nothing stored, nothing to clear
  }
}

class StubKeysThrows extends DatabaseStorage {
  override keys(_pattern: string): Promise<string[]> {
    throw new StorageError('InternalError', 'Not implemented: DatabaseStorage.keys');
  }
}

/** get first waits for a connection pool that is never created. */
class StubGetWaitsForConnection extends DatabaseStorage {
  readonly #pool = new Promise<void>(() => {});
  override async get(key: string): Promise<string | null> {
    await this.#pool;
    return super.get(key);
  }
}

const stubProfile = { expect: 'unimplemented', callTimeoutMs: 200 } as const;

export const stubDefects: readonly Defect[] = [
  {
    id: 'stub-rejects-operation-failed',
    method: 'mget',
    description: 'the stub’s mget rejects with OperationFailed instead of InternalError.',
    targets: ['STUB-01'],
    options: stubProfile,
    create: () => new StubRejectsOperationFailed(URL),
  },
  {
    id: 'stub-clear-resolves',
    method: 'clear',
    description: 'the stub’s clear resolves as if it had cleared something instead of rejecting with InternalError.',
    targets: ['STUB-01'],
    options: stubProfile,
    create: () => new StubClearResolves(URL),
  },
  {
    id: 'stub-keys-throws-synchronously',
    method: 'keys',
    description: 'the stub’s keys throws its InternalError synchronously instead of returning a rejected promise.',
    targets: ['STUB-02'],
    options: stubProfile,
    create: () => new StubKeysThrows(URL),
  },
  {
    id: 'stub-get-waits-for-connection',
    method: 'get',
    description:
      'the stub’s get waits for a connection pool that is never created before rejecting, so it never settles.',
    targets: ['STUB-03'],
    options: stubProfile,
    create: () => new StubGetWaitsForConnection(URL),
  },
];
