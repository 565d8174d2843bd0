/**
 * Backends with real limits (issue 12): a store that keeps whole seconds, one that cannot read a
 * TTL, one without expire. Declared with a reason, each is checked on everything else, and the
 * report says exactly what was not checked; undeclared, the same limits fail the rules they break.
 */
import { describe, expect, test } from 'vitest';
import { StorageError, type Ttl } from '../conformance/contract/index.js';
import { checkConformance, type FactoryContext, type SuiteOptions } from '../conformance/index.js';
import { MemoryStorage } from '../implementations/memory/index.js';

const seconds = (ttl: Ttl) => (typeof ttl === 'number' && ttl > 0 ? Math.ceil(ttl / 1000) * 1000 : ttl);

/** Keeps deadlines in whole seconds (rounded up) and reports TTLs in whole seconds, like memcached. */
class WholeSecondsStorage extends MemoryStorage {
  override set(key: string, value: string, ttl?: Ttl) {
    return super.set(key, value, seconds(ttl));
  }
  override mset(items: readonly (readonly [string, string])[], ttl?: Ttl) {
    return super.mset(items, seconds(ttl));
  }
  override expire(key: string, ttl: number) {
    return super.expire(key, seconds(ttl) as number);
  }
  override async ttl(key: string) {
    const remaining = await super.ttl(key);
    return remaining === null ? null : Math.ceil(remaining / 1000) * 1000;
  }
}

class NoTtlReadStorage extends MemoryStorage {
  override ttl(): Promise<number | null> {
    return Promise.reject(new StorageError('OperationFailed', 'this store cannot read a TTL'));
  }
}

class NoExpireStorage extends MemoryStorage {
  override expire(): Promise<void> {
    return Promise.reject(new StorageError('OperationFailed', 'this store has no expire'));
  }
}

async function check(make: new (options: { clock: FactoryContext['clock'] }) => MemoryStorage, options: SuiteOptions) {
  return checkConformance((ctx) => new make({ clock: ctx.clock }), { seed: 3, ...options });
}

const notPassed = (report: Awaited<ReturnType<typeof check>>) =>
  Object.fromEntries(report.results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status]));

describe('ttlResolution', () => {
  test('a whole-seconds store that declares it: TTL rules check at 1000 ms and say so', async () => {
    const ttlResolution = { ms: 1000, reason: 'the store keeps whole seconds' };
    const report = await check(WholeSecondsStorage, { ttlResolution });
    expect(notPassed(report)).toEqual({ 'TTL-04': 'skip', 'TTL-09': 'skip', 'MODEL-01': 'skip' });
    expect(report.results.find((r) => r.id === 'TTL-09')?.reason).toMatch(/checks TTLs to the millisecond; .* 1000 ms/);
    const ttl01 = report.results.find((r) => r.id === 'TTL-01');
    expect(ttl01?.note).toMatch(/declared resolution of 1000 ms \(the store keeps whole seconds\)/);
    expect(report.declared.ttlResolution).toEqual(ttlResolution);
    expect(report.verdict).toBe('conformant');
  });

  test('the same store without the declaration fails the TTL rules', async () => {
    const report = await check(WholeSecondsStorage, {});
    expect(notPassed(report)).toMatchObject({ 'TTL-01': 'fail', 'TTL-04': 'fail' });
  });

  test('a declared resolution does not hide a store that never expires keys', async () => {
    class NeverExpires extends WholeSecondsStorage {
      override set(key: string, value: string) {
        return super.set(key, value, null);
      }
    }
    const report = await check(NeverExpires, { ttlResolution: { ms: 1000, reason: 'seconds' }, only: ['TTL-01'] });
    expect(report.results[0]?.status).toBe('fail');
  });
});

describe('no ttl read, no expire', () => {
  test('no "ttl": rules about it are skipped with the reason; rules reading it in passing check the rest', async () => {
    const report = await check(NoTtlReadStorage, { unsupported: { ttl: 'the store cannot read a TTL' } });
    expect(notPassed(report)).toEqual({ 'TTL-04': 'skip', 'TTL-05': 'skip' });
    expect(report.results.find((r) => r.id === 'TTL-04')?.reason).toBe(
      'the backend declares no "ttl" capability: the store cannot read a TTL',
    );
    expect(report.declared.unsupported).toEqual({ ttl: 'the store cannot read a TTL' });
  });

  test('undeclared, the missing ttl fails the rules that read it', async () => {
    const report = await check(NoTtlReadStorage, { only: ['TTL-04', 'FAIL-04', 'CTR-01'] });
    expect(notPassed(report)).toEqual({ 'TTL-04': 'fail', 'FAIL-04': 'fail', 'CTR-01': 'fail' });
  });

  test('a rule using ttl() in passing still catches what it is about', async () => {
    class IncrDropsValue extends NoTtlReadStorage {
      override async incr(key: string) {
        return (await super.incr(key)) + 1;
      }
    }
    const report = await check(IncrDropsValue, { unsupported: { ttl: 'no TTL read' }, only: ['CTR-01'] });
    expect(report.results[0]?.status).toBe('fail');
  });

  test('no "expire": the expire rules are skipped with the reason, everything else passes', async () => {
    const report = await check(NoExpireStorage, { unsupported: { expire: 'this store has no expire' } });
    expect(notPassed(report)).toEqual({
      'TTL-05': 'skip',
      'TTL-06': 'skip',
      'TTL-08': 'skip',
      'TTL-09': 'skip',
      'TTL-10': 'skip',
    });
  });
});
