import { copyFileSync, mkdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../conformance/clock.js';
import {
  isStorageError,
  normalizeOptionalTtl,
  parseCanonicalInt64,
  SaStorageBase,
  StorageError,
  StorageErrorKind,
  type Ttl,
} from '../conformance/contract/index.js';
import { expectRejects } from './helpers.js';

describe('StorageError', () => {
  test('carries kind, message and cause', () => {
    const cause = new Error('socket closed');
    const error = new StorageError('ConnectionError', 'lost connection', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.kind).toBe(StorageErrorKind.ConnectionError);
    expect(error.message).toBe('lost connection');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('StorageError');
  });

  test('an empty message falls back to the kind; an unknown kind is a programming error', () => {
    expect(new StorageError('InternalError', '').message).toBe('InternalError');
    expect(() => new StorageError('Nope' as never, 'x')).toThrow(TypeError);
  });

  test('isStorageError recognises errors from another copy of the package', async () => {
    // A second module instance stands for a second installed copy of sa-storage-kit.
    const dir = new URL('./.tmp/second-copy/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    copyFileSync(new URL('../conformance/contract/errors.ts', import.meta.url), new URL('errors.ts', dir));
    const other = (await import(new URL('errors.ts', dir).href)) as typeof import('../conformance/contract/errors.js');
    expect(other.StorageError).not.toBe(StorageError);
    const foreign = new other.StorageError('OperationFailed', 'from elsewhere');
    expect(foreign instanceof StorageError).toBe(false);
    expect(isStorageError(foreign)).toBe(true);
    expect(other.isStorageError(new StorageError('InternalError', 'x'))).toBe(true);
  });

  test('isStorageError rejects look-alikes', () => {
    expect(isStorageError(new Error('x'))).toBe(false);
    expect(isStorageError({ kind: 'OperationFailed', message: 'x' })).toBe(false);
    expect(isStorageError(null)).toBe(false);
    expect(isStorageError('OperationFailed')).toBe(false);
  });
});

describe('helpers', () => {
  test('normalizeOptionalTtl', () => {
    expect(normalizeOptionalTtl(undefined)).toBeNull();
    expect(normalizeOptionalTtl(null)).toBeNull();
    expect(normalizeOptionalTtl(1.0001)).toBe(2);
    expect(normalizeOptionalTtl(1e15)).toBe(1e15);
    expect(() => normalizeOptionalTtl(0)).toThrow(StorageError);
  });

  test('parseCanonicalInt64 accepts exactly Redis integer syntax', () => {
    expect(parseCanonicalInt64('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(parseCanonicalInt64('9223372036854775807')).toBe(2n ** 63n - 1n);
    for (const bad of ['9223372036854775808', '-0', '01', '+1', ' 1', '1 ', '1.0', '', '-', '٣']) {
      expect(parseCanonicalInt64(bad)).toBeNull();
    }
  });
});

/** The smallest backend: the seven required methods over a Map, defaults for the rest. */
class MapStorage extends SaStorageBase {
  readonly map = new Map<string, { value: string; deadline: number | null }>();
  constructor(readonly clock: VirtualClock) {
    super();
  }
  #live(key: string) {
    const entry = this.map.get(key);
    return entry && (entry.deadline === null || this.clock.now() <= entry.deadline) ? entry : undefined;
  }
  async get(key: string) {
    return this.#live(key)?.value ?? null;
  }
  async set(key: string, value: string, ttl?: Ttl) {
    const ms = normalizeOptionalTtl(ttl);
    this.map.set(key, { value, deadline: ms === null ? null : this.clock.now() + ms });
  }
  async delete(key: string) {
    this.map.delete(key);
  }
  async exists(key: string) {
    return this.#live(key) !== undefined;
  }
  async expire(key: string, ttl: number) {
    const entry = this.#live(key);
    if (entry) entry.deadline = this.clock.now() + ttl;
  }
  async ttl(key: string) {
    const entry = this.#live(key);
    return entry?.deadline == null ? null : entry.deadline - this.clock.now();
  }
  async clear() {
    this.map.clear();
  }
}

describe('SaStorageBase defaults', () => {
  test('incr keeps the TTL and rejects non-integers without writing', async () => {
    const clock = new VirtualClock();
    const storage = new MapStorage(clock);
    await storage.set('n', '10', 1000);
    clock.advance(400);
    expect(await storage.incr('n')).toBe(11);
    expect(await storage.ttl('n')).toBe(600);
    expect(await storage.decr('fresh')).toBe(-1);
    await storage.set('s', '1.5');
    await expectRejects(() => storage.incr('s'), 'SerializationError');
    expect(await storage.get('s')).toBe('1.5');
  });

  test('bulk defaults validate everything first and keys() is [] as in the trait', async () => {
    const storage = new MapStorage(new VirtualClock());
    await expectRejects(
      () =>
        storage.mset([
          ['a', '1'],
          ['\ud800', '2'],
        ]),
      'SerializationError',
    );
    await expectRejects(() => storage.mset([['a', '1']], 0), 'OperationFailed');
    expect(storage.map.size).toBe(0);
    await storage.mset(
      [
        ['a', '1'],
        ['b', '2'],
      ],
      10,
    );
    expect(await storage.mget(['b', 'x', 'a'])).toEqual(['2', null, '1']);
    await storage.mdel(['a']);
    expect(await storage.mget(['a', 'b'])).toEqual([null, '2']);
    expect(await storage.keys('*')).toEqual([]);
    await expectRejects(() => storage.keys(7 as never), 'SerializationError');
  });
});
